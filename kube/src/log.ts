export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type Fields = Record<string, unknown>;

/** One JSON object per line on stdout; `child` adds fields (controller, object key) to every line. */
export interface Logger {
  debug(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
  child(fields: Fields): Logger;
}

export function jsonLogger(
  level: LogLevel,
  base: Fields = {},
  write = (line: string) => process.stdout.write(line),
): Logger {
  const emit = (at: LogLevel, message: string, fields?: Fields) => {
    if (order[at] < order[level]) return;
    const error = fields?.error;
    const rest = error instanceof Error ? { ...fields, error: error.message } : fields;
    write(
      `${JSON.stringify({ time: new Date().toISOString(), level: at, msg: message, ...base, ...rest })}\n`,
    );
  };
  return {
    debug: (message, fields) => emit('debug', message, fields),
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
    child: (fields) => jsonLogger(level, { ...base, ...fields }, write),
  };
}
