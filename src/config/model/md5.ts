// Nacos identifies a config version by the hex MD5 of its UTF-8 bytes; clients compare it to decide
// whether to fetch again.
const hasher = new Bun.CryptoHasher("md5");

export function md5Hex(content: string): string {
  return hasher.update(content, "utf8").digest("hex");
}

export function utf8Length(s: string): number {
  return Buffer.byteLength(s, "utf8");
}
