/** Reports progress of long catalog work: an event name and its figures. */
export type Progress = (event: string, fields?: Record<string, unknown>) => void;

export const silent: Progress = () => {};

/** Progress as JSON lines on stderr, leaving stdout to the command's result. */
export const progressToStderr: Progress = (event, fields = {}) => {
  process.stderr.write(
    `${JSON.stringify({ time: new Date().toISOString(), level: 'info', event, ...fields })}\n`,
  );
};
