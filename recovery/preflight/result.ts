/** One line of a pre-flight: its own file, so the checks of each part can return it without importing the whole pre-flight. */
type PreflightStatus = "pass" | "warn" | "fail" | "n/a";

export interface PreflightResult {
  name: string;
  status: PreflightStatus;
  detail: string;
  /** What to do about a warn or fail. */
  fix?: string;
}
