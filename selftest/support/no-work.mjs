// `node --import ./selftest/support/no-work.mjs …` (through NODE_OPTIONS, so every Node process of a
// command has it): a process that listens on a TCP port or opens a TCP connection (an HTTP request,
// fetch, a database) is doing work. Each attempt is written to NO_WORK_OUT (what, where, which
// program) and refused with an error, so a command that would start a release check stops at its
// first request instead of running for minutes. Unix sockets are left alone: tsx's parent and child
// processes talk over one, and they are not a port.
import { appendFileSync } from 'node:fs';
import net from 'node:net';

const out = process.env.NO_WORK_OUT;
if (out) {
  const program = process.argv.slice(1, 3).join(' ');
  const refuse = (what) => {
    appendFileSync(out, `${what} (${program})\n`);
    throw new Error(`no-work guard: ${what} refused`);
  };
  const isPath = (a) => (typeof a === 'string' && !/^\d+$/.test(a)) || (typeof a === 'object' && a !== null && typeof a.path === 'string');
  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function guardedListen(...args) {
    if (isPath(args[0])) return listen.apply(this, args);
    return refuse(`listen on port ${typeof args[0] === 'object' && args[0] !== null ? args[0].port : args[0]}`);
  };
  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function guardedConnect(...args) {
    // net.connect() hands connect() a normalized [options, callback] pair.
    const a = Array.isArray(args[0]) ? args[0][0] : args[0];
    if (isPath(a)) return connect.apply(this, args);
    return refuse(`connect to ${typeof a === 'object' && a !== null ? `${a.host ?? 'localhost'}:${a.port}` : String(a)}`);
  };
}
