// Cheap 32-bit hashing for the simulator's chains: a log (or a state machine) is summarised at every
// index by a hash of everything up to it, so "same prefix" is one comparison.

export function mix(h: number, x: number): number {
  let v = Math.imul((h ^ (x >>> 0) ^ Math.floor(x / 4294967296)) >>> 0, 0x9e3779b1);
  v ^= v >>> 15;
  v = Math.imul(v, 0x85ebca77);
  v ^= v >>> 13;
  v = Math.imul(v, 0xc2b2ae3d);
  v ^= v >>> 16;
  return v >>> 0;
}

export function bytesHash(data: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i]!, 0x01000193) >>> 0;
  return mix(h, data.length);
}
