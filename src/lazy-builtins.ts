// Node built-ins that take a millisecond or more to load in the executable (measured: node:zlib
// ~1.5 ms, node:crypto ~1.5 ms) and that a start does not need: each loads on its first use.
import type * as Crypto from "node:crypto";
import type * as Zlib from "node:zlib";

let zlib: typeof Zlib | undefined;
let crypto: typeof Crypto | undefined;

export function nodeZlib(): typeof Zlib {
  return (zlib ??= require("node:zlib") as typeof Zlib);
}

export function nodeCrypto(): typeof Crypto {
  return (crypto ??= require("node:crypto") as typeof Crypto);
}
