/**
 * Per-stage progress on stderr: a live bar on a terminal, plain lines otherwise (CI logs), and
 * each stage's time when it ends.
 */
const BAR_WIDTH = 28;

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

export class Progress {
  private readonly tty = Boolean(process.stderr.isTTY);
  private readonly started = Date.now();

  /** Runs one stage, reporting its start, its progress (if it reports any) and its duration. */
  async stage<T>(name: string, run: (report: (done: number, total: number, unit: string) => void) => Promise<T> | T): Promise<T> {
    const start = Date.now();
    let lastPlain = -1;
    if (!this.tty) process.stderr.write(`${name} ...\n`);
    const report = (done: number, total: number, unit: string): void => {
      const share = total > 0 ? Math.min(1, done / total) : 1;
      if (this.tty) {
        const filled = Math.round(share * BAR_WIDTH);
        process.stderr.write(`\r${name} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${Math.floor(share * 100)}% ` +
          `${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${unit} ${seconds(Date.now() - start)}\x1b[K`);
      } else if (Math.floor(share * 10) > lastPlain) {
        lastPlain = Math.floor(share * 10);
        process.stderr.write(`  ${Math.floor(share * 100)}% (${done.toLocaleString('en-US')} ${unit})\n`);
      }
    };
    try {
      const result = await run(report);
      process.stderr.write(`${this.tty ? '\r' : ''}${name} done in ${seconds(Date.now() - start)}${this.tty ? '\x1b[K' : ''}\n`);
      return result;
    } catch (error) {
      if (this.tty) process.stderr.write('\n');
      throw error;
    }
  }

  elapsed(): string {
    return seconds(Date.now() - this.started);
  }
}
