/** Keep secrets out of output: passwords in URLs, known secret values, connection-string keys. */

/** `postgres://user:pass@host/db` -> `postgres://user:***@host/db`. Leaves text that is not a URL alone. */
export function maskUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^\s/]*@/i, "$1:***@");
}

/** Mask every URL password, every `AccountKey=`/`SharedAccessSignature=`/`password=` value, and each given secret. */
export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  // The password runs to the last "@" before the host: an unencoded "@" in it must not leave a tail showing.
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^\s/]*@/gi, "$1:***@");
  out = out.replace(/\b(AccountKey|SharedAccessSignature|sig|password|PGPASSWORD)=([^;&\s]+)/gi, "$1=***");
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join("***");
  }
  return out;
}
