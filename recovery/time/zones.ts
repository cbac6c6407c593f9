/**
 * The one rule for `--timezone`: which names are zones an operator may give.
 *
 * The tz database answers for far more names than it should here. Abbreviations resolve to some
 * zone that happens to use them (`BST` is Asia/Dhaka, UTC+6; `IST` Asia/Calcutta; `EST` a fixed
 * UTC-5), legacy links hide their meaning (`GB`, `US/Eastern`, `EST5EDT`), and `Etc/GMT+5` is
 * UTC-5 (POSIX signs, the opposite of what it says). An operator typing `BST` means UK summer
 * time; the database gives Bangladesh. So the rule, exactly:
 *
 *   accepted: `UTC` and `Etc/UTC` (spelt so, unambiguous), and a name `Area/Location[/Sub]` whose
 *             Area is one of the tz database's geographic areas (Africa, America, Antarctica,
 *             Arctic, Asia, Atlantic, Australia, Europe, Indian, Pacific: the files `africa` ...
 *             `australasia` of the database, see its theory.text "Timezone identifiers") and that
 *             the runtime's tz database knows. Case is not significant (no two zones differ by
 *             case only). Backward links inside those areas (Asia/Calcutta, Europe/Kiev,
 *             America/Buenos_Aires) are the same places by older names, so they are accepted.
 *   refused:  everything else: abbreviations (BST, IST, EST, CET, GMT, ...), POSIX rules
 *             (EST5EDT), country and legacy aliases (GB, US/Eastern, Canada/Pacific, Japan),
 *             the Etc/GMT±N family and other Etc names but Etc/UTC, and unknown names.
 *
 * `Intl.supportedValuesOf("timeZone")` is not the list to check against: it lists CLDR's
 * canonical ids (Asia/Calcutta, not Asia/Kolkata), and leaves out UTC.
 */
import { IANAZone } from "luxon";
import { UsageError } from "../errors";
import { clipInput } from "../util/clip";

/** UK local time: what a zone-less time of an operator almost always means. */
export const UK_ZONE = "Europe/London";

const AREAS = ["Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific"];
const GEOGRAPHIC = new RegExp(`^(?:${AREAS.join("|")})(?:/[A-Za-z0-9_+-]+){1,2}$`, "i");
const UTC_NAMES = ["UTC", "Etc/UTC"];

/** Where the runtime's tz database places a name, or undefined when it does not know it. */
function resolvedZone(name: string): string | undefined {
  try {
    return new Intl.DateTimeFormat("en", { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** True when `name` is a zone the operator may give (the rule above). */
export function isIanaLocationZone(name: string): boolean {
  if (UTC_NAMES.includes(name)) return true;
  return GEOGRAPHIC.test(name) && IANAZone.isValidZone(name);
}

function utcOffset(zone: string): string {
  const minutes = IANAZone.create(zone).offset(Date.now());
  const abs = Math.abs(minutes);
  return `UTC${minutes < 0 ? "-" : "+"}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

/**
 * The zone name, trimmed, or a UsageError saying why it is not accepted and which name to give.
 * `flag` names the option in the message.
 */
export function checkTimeZone(input: string, flag = "--timezone"): string {
  const name = input.trim();
  if (isIanaLocationZone(name)) return name;
  const shown = `${flag} "${clipInput(name)}"`;
  const fix = `give a tz database Area/Location name: ${flag} ${UK_ZONE} for UK time (GMT in winter, BST in summer), or ${flag} UTC`;
  const resolved = resolvedZone(name);
  if (resolved === undefined) throw new UsageError(`${shown} is not a time zone name`, fix);
  if (/^[A-Z]{2,5}$/.test(name) || /^[A-Z]{3,4}\d/.test(name)) {
    // an abbreviation or a POSIX rule: say where the tz database puts it, which is rarely what was meant
    const where = resolved === "UTC" ? "UTC all year" : `${resolved} (now ${utcOffset(resolved)})`;
    throw new UsageError(`${shown} is an abbreviation, not a place: the tz database reads it as ${where}, whatever was meant by it`, fix);
  }
  if (GEOGRAPHIC.test(resolved)) {
    throw new UsageError(`${shown} is a legacy alias, not an Area/Location zone name`, `give ${flag} ${resolved} (the same zone by its place name)`);
  }
  throw new UsageError(`${shown} is not an Area/Location zone name (Etc/GMT+N is UTC-N, an inverted sign)`, fix);
}
