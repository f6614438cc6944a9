// Server-side Table printing for kubectl: see table.ts.
export { buildTable, columnsFor, rowFor, parseIncludeObject } from './table.js';
export type { BuildTableOptions, ColumnDefinition, IncludeObject, PrinterColumn, Table, TableRow } from './table.js';
export { humanDuration, shortHumanDuration, translateTimestampSince } from './duration.js';
