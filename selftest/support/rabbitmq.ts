// A RabbitMQ node of a self-test's own (Debian's rabbitmq-server, installed by scripts/setup.sh):
// its own node name, free loopback ports, data, cookie and an empty plugin list in a temporary
// folder, so it runs beside any other node on the machine (the real-server kit's included). Stopped
// with its whole process group; an epmd it had to start is stopped too when no node is left on it.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'amqplib';
import { execa, execaSync } from 'execa';
import { freePort } from '../../core/ports.ts';
import { tempDir } from './temp.ts';

const SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';
const START_TIMEOUT_MS = 90_000;

export interface RunningRabbit {
  /** amqp://guest:guest@127.0.0.1:<port>/ (guest may connect from loopback only). */
  url: string;
  close(): Promise<void>;
}

/** Why no node can be started here, if it cannot. */
export const rabbitMissing = (): string | undefined =>
  existsSync(SERVER) ? undefined : `${SERVER} is not installed (scripts/setup.sh installs Debian's rabbitmq-server when run as root)`;

const epmdRunning = (): boolean => {
  try {
    execaSync('pgrep', ['-x', 'epmd'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

export async function startRabbit(): Promise<RunningRabbit> {
  const dir = tempDir();
  const [amqpPort, distPort] = [await freePort(), await freePort()];
  const node = `hxself${amqpPort}@localhost`;
  mkdirSync(join(dir, 'home'), { recursive: true });
  writeFileSync(join(dir, 'enabled_plugins'), '[].');
  writeFileSync(join(dir, 'rabbitmq-env.conf'), '');
  const env = {
    HOME: join(dir, 'home'),
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(amqpPort),
    RABBITMQ_DIST_PORT: String(distPort),
    ERL_EPMD_ADDRESS: '127.0.0.1',
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_PID_FILE: join(dir, 'rabbitmq.pid'),
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_SERVER_START_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
  };
  const epmdBefore = epmdRunning();
  // Detached, so its whole process group (the Erlang VM under the start script) can be stopped.
  const child = execa(SERVER, [], { env, cwd: dir, detached: true, stdio: 'ignore', reject: false });
  const url = `amqp://guest:guest@127.0.0.1:${amqpPort}/`;
  const stop = async () => {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      /* gone */
    }
    const deadline = Date.now() + 15_000;
    while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) await sleep(100);
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
    if (!epmdBefore)
      try {
        if (!/^name /m.test(execaSync('epmd', ['-names']).stdout)) execaSync('epmd', ['-kill'], { stdio: 'ignore' });
      } catch {
        /* no epmd */
      }
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      const c = await connect(url, { timeout: 1000 });
      await c.close();
      return { url, close: stop };
    } catch {
      if (child.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`RabbitMQ (${SERVER}) did not start within ${START_TIMEOUT_MS / 1000} s (its logs: ${join(dir, 'log')})`);
      }
      await sleep(250);
    }
  }
}
