// How the watch view spends the terminal's rows and columns. Pure, so the
// degradation rules can be tested without rendering.
//
//   header (1) · boards · traffic pane · steps (1) · footer (1)
//
// Wide terminals put boards side by side (at least BOARD_MIN_WIDTH columns
// each); under 80 columns they stack. Printed lines shrink first, then the
// traffic pane goes (always under 15 rows), then boards drop their borders and
// become one line each, then boards that still do not fit are summarised as
// "+N more". The frame is kept one row shorter than the terminal so ink never
// has to clear the screen to redraw it.

export const BOARD_MIN_WIDTH = 38;
export const WIDE_COLUMNS = 80;
export const TRAFFIC_MIN_ROWS = 15;
const MAX_PRINT_LINES = 6;
const MIN_TRAFFIC_LINES = 3;

export interface BoardShape {
  leds: number;
  buttons: number;
}

export interface Layout {
  columns: number;
  rows: number;
  /** "full": bordered board panes; "compact": one line per board. */
  mode: "full" | "compact";
  /** Boards per row of panes (1 when stacked). */
  perRow: number;
  /** Width of one board pane, borders included. */
  boardWidth: number;
  /** Printed lines shown per board (full mode). */
  printLines: number;
  /** How many boards are drawn; the rest are summarised in one line when `moreLine`. */
  boardsShown: number;
  moreLine: boolean;
  showTraffic: boolean;
  /** Traffic lines shown (below the pane's title rule). */
  trafficLines: number;
  showSteps: boolean;
  showFooter: boolean;
}

/** Rows a full board pane needs: border 2, title 1, LEDs (at least 1), buttons, heap 2, network 2, prints. */
export function boardPaneHeight(shape: BoardShape, prints: number): number {
  return 2 + 1 + Math.max(shape.leds, 1) + Math.max(shape.buttons, 0) + 2 + 2 + prints;
}

function groups<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function boardsHeight(shapes: readonly BoardShape[], perRow: number, prints: number): number {
  return groups(shapes, perRow).reduce((sum, row) => sum + Math.max(...row.map((s) => boardPaneHeight(s, prints))), 0);
}

export function computeLayout(columnsIn: number | undefined, rowsIn: number | undefined, shapes: readonly BoardShape[]): Layout {
  const columns = Math.max(1, Math.floor(columnsIn && columnsIn > 0 ? columnsIn : 80));
  const rows = Math.max(1, Math.floor(rowsIn && rowsIn > 0 ? rowsIn : 24));
  const n = Math.max(shapes.length, 1);
  const perRow = columns < WIDE_COLUMNS ? 1 : Math.max(1, Math.min(n, Math.floor(columns / BOARD_MIN_WIDTH)));
  const boardWidth = Math.max(1, Math.floor(columns / perRow));

  // Fixed lines: header always; steps and footer while there is room.
  const showSteps = rows >= 8;
  const showFooter = rows >= 6;
  const budget = rows - 1 - 1 - (showSteps ? 1 : 0) - (showFooter ? 1 : 0);

  const base = {
    columns,
    rows,
    perRow,
    boardWidth,
    showSteps,
    showFooter,
  };

  const wantTraffic = rows >= TRAFFIC_MIN_ROWS;
  for (const traffic of wantTraffic ? [true, false] : [false]) {
    const trafficNeed = traffic ? 1 + MIN_TRAFFIC_LINES : 0;
    for (let prints = MAX_PRINT_LINES; prints >= 0; prints--) {
      const used = boardsHeight(shapes, perRow, prints);
      if (used + trafficNeed <= budget) {
        // The traffic pane gets whatever is left.
        const trafficLines = traffic ? budget - used - 1 : 0;
        return {
          ...base,
          mode: "full",
          printLines: prints,
          boardsShown: shapes.length,
          moreLine: false,
          showTraffic: traffic,
          trafficLines,
        };
      }
    }
  }

  // Compact: one line per board, traffic only if it still gets a few lines.
  const fitBoards = Math.max(0, budget);
  if (shapes.length <= fitBoards) {
    const left = budget - shapes.length;
    const traffic = wantTraffic && left >= 1 + MIN_TRAFFIC_LINES;
    return {
      ...base,
      perRow: 1,
      boardWidth: columns,
      mode: "compact",
      printLines: 0,
      boardsShown: shapes.length,
      moreLine: false,
      showTraffic: traffic,
      trafficLines: traffic ? left - 1 : 0,
    };
  }
  return {
    ...base,
    perRow: 1,
    boardWidth: columns,
    mode: "compact",
    printLines: 0,
    // One line goes to "+N more", when there is a line at all.
    boardsShown: Math.max(0, fitBoards - 1),
    moreLine: fitBoards >= 1,
    showTraffic: false,
    trafficLines: 0,
  };
}
