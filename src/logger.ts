// The process logger. JSON lines (pino) so that logs can be shipped as they are.
import pino from 'pino';

export function createLogger(level: string): pino.Logger {
  return pino({ level, base: { service: 'ferry' } });
}
