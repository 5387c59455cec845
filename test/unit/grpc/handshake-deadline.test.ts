// HandshakeDeadline on its own, with real (short) timers: fires once after the window unless cancelled,
// waits for busy calls, and is off at 0.
import { expect, test } from "bun:test";
import { HandshakeDeadline } from "../../../src/grpc/handshake-deadline.ts";

const WINDOW = 100;

test("expires once after the window when nothing happened", async () => {
  let expired = 0;
  const d = new HandshakeDeadline(WINDOW, () => false, () => expired++);
  await Bun.sleep(WINDOW / 2);
  expect(expired).toBe(0);
  await Bun.sleep(WINDOW * 2);
  expect(expired).toBe(1);
  d.callsDone();
  d.cancel();
  expect(expired).toBe(1);
});

test("cancel() before the window (the connection set up) means it never expires", async () => {
  let expired = 0;
  const d = new HandshakeDeadline(WINDOW, () => false, () => expired++);
  d.cancel();
  await Bun.sleep(WINDOW * 3);
  d.callsDone();
  expect(expired).toBe(0);
});

test("busy when the window ends: expires only when the calls are done", async () => {
  let expired = 0;
  let busy = true;
  const d = new HandshakeDeadline(WINDOW, () => busy, () => expired++);
  await Bun.sleep(WINDOW * 3);
  expect(expired).toBe(0);
  d.callsDone(); // one call finished, another still busy
  expect(expired).toBe(0);
  busy = false;
  d.callsDone();
  expect(expired).toBe(1);
});

test("a call finishing before the window ends does not close early; 0 turns the deadline off", async () => {
  let expired = 0;
  const d = new HandshakeDeadline(WINDOW, () => false, () => expired++);
  d.callsDone();
  expect(expired).toBe(0);
  const off = new HandshakeDeadline(0, () => false, () => expired++);
  await Bun.sleep(WINDOW * 3);
  off.callsDone();
  expect(expired).toBe(1); // only the first one
  d.cancel();
});
