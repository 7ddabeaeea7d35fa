// Progress of a sweep on stderr: on a terminal one line redrawn as seeds
// finish; elsewhere (CI logs) a line per failing seed and a count every 10 s.

export class SweepProgress {
  private readonly tty = process.stderr.isTTY === true;
  private readonly timer: NodeJS.Timeout;
  private done = 0;
  private failed = 0;
  private drawn = false;
  private readonly started = performance.now();

  constructor(
    private readonly total: number,
    private readonly running: () => number,
  ) {
    this.timer = setInterval(() => (this.tty ? this.draw() : this.write(this.line())), this.tty ? 250 : 10_000);
    this.timer.unref();
  }

  private line(): string {
    const seconds = ((performance.now() - this.started) / 1000).toFixed(0);
    return `  ${this.done.toLocaleString("en-US")}/${this.total.toLocaleString("en-US")} seeds, ${this.failed.toLocaleString("en-US")} failed, ${this.running()} running, ${seconds} s`;
  }

  private draw(): void {
    process.stderr.write(`\r\x1b[2K${this.line().slice(0, (process.stderr.columns ?? 80) - 1)}`);
    this.drawn = true;
  }

  private write(text: string): void {
    if (this.drawn) process.stderr.write("\r\x1b[2K");
    this.drawn = false;
    process.stderr.write(`${text}\n`);
  }

  seedDone(passed: boolean, label: string): void {
    this.done++;
    if (!passed) {
      this.failed++;
      this.write(`  ${label}`);
    }
    if (this.tty) this.draw();
  }

  stop(): void {
    clearInterval(this.timer);
    if (this.drawn) process.stderr.write("\r\x1b[2K");
    this.drawn = false;
  }
}
