// Server-side printing: the meta.k8s.io/v1 Table answered for
// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` (what kubectl get asks for).
import type { KubeObject, ListMeta } from '../../../api/meta/v1/types.js';
import type { ResourceInfo } from '../../../api/resourceinfo.js';
import { COLUMNS, DEFAULT_COLUMNS, type ColumnDefinition } from './columns.js';
import { DESCRIPTIONS } from './descriptions.js';
import { podConditions, type RowCondition } from './pod.js';
import { ROWS } from './rows.js';
import { humanDuration } from './duration.js';

export type { ColumnDefinition } from './columns.js';

/** metav1.IncludeObjectPolicy; kubectl sends none (so Metadata) unless it sorts, then Object. */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** A CRD's additionalPrinterColumns entry (apiextensions.k8s.io/v1). */
export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

export interface TableRow {
  cells: unknown[];
  conditions?: RowCondition[];
  object: unknown;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: ListMeta;
  columnDefinitions: ColumnDefinition[];
  rows: TableRow[];
}

export interface BuildTableOptions {
  includeObject?: IncludeObject;
  now: Date;
  listMeta?: ListMeta;
  /** TableOptions.noHeaders: leave out the column definitions (watch events after the first). */
  noHeaders?: boolean;
  /** For custom resources: the CRD version's additionalPrinterColumns. */
  printerColumns?: PrinterColumn[];
}

const key = (r: ResourceInfo): string => `${r.group}/${r.plural}`;

function hasPrinter(r: ResourceInfo): boolean {
  return Object.prototype.hasOwnProperty.call(COLUMNS, key(r));
}

// Built-in groups are served by kube-apiserver itself, whose fallback is the
// default table convertor (NAME, CREATED AT); custom resources get the CRD's
// printer columns, which default to AGE.
function isBuiltinGroup(group: string): boolean {
  return ['', 'apps', 'batch', 'policy', 'autoscaling', 'extensions'].includes(group) || group === 'k8s.io' || group.endsWith('.k8s.io');
}

/** The CRD defaulting's single column when a CRD declares none. */
const DEFAULT_CR_COLUMNS: PrinterColumn[] = [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }];

function customColumns(cols: PrinterColumn[]): ColumnDefinition[] {
  return [
    { name: 'Name', type: 'string', format: 'name', description: DESCRIPTIONS['meta.name'], priority: 0 },
    ...cols.map((c): ColumnDefinition => ({
      name: c.name,
      type: c.type as ColumnDefinition['type'],
      format: c.format ?? '',
      description: c.description || `Custom resource definition column (in JSONPath format): ${c.jsonPath}`,
      priority: c.priority ?? 0,
    })),
  ];
}

/** The Table columns kube-apiserver declares for this resource. */
export function columnsFor(resource: ResourceInfo, printerColumns?: PrinterColumn[]): ColumnDefinition[] {
  if (hasPrinter(resource)) return COLUMNS[key(resource)];
  if (printerColumns || !isBuiltinGroup(resource.group)) return customColumns(printerColumns ?? DEFAULT_CR_COLUMNS);
  return DEFAULT_COLUMNS;
}

/** Resolves the simple JSONPaths CRDs use (`.spec.replicas`, `.status.conditions[0].type`). */
function jsonPathValue(obj: unknown, path: string): unknown {
  const p = path.replace(/^\{|\}$/g, '').replace(/^\$/, '');
  const tokens = p.match(/\.([^.[\]]+)|\[(\d+)\]/g) ?? [];
  let cur: unknown = obj;
  for (const tok of tokens) {
    if (cur === null || cur === undefined) return undefined;
    if (tok.startsWith('[')) {
      const i = Number(tok.slice(1, -1));
      cur = Array.isArray(cur) ? cur[i] : undefined;
    } else {
      cur = typeof cur === 'object' ? (cur as Record<string, unknown>)[tok.slice(1)] : undefined;
    }
  }
  return cur;
}

function customCell(obj: KubeObject, col: PrinterColumn, now: Date): unknown {
  const v = jsonPathValue(obj, col.jsonPath);
  if (v === undefined || v === null) return null;
  // Date columns read as an age, as upstream's table convertor writes them.
  if (col.type === 'date') return typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? humanDuration(now.getTime() - Date.parse(v)) : '<invalid>';
  if (typeof v === 'object') return JSON.stringify(v);
  return v;
}

/** The row cells for one object; `now` fixes AGE and similar durations. */
export function rowFor(resource: ResourceInfo, obj: KubeObject, now: Date, printerColumns?: PrinterColumn[]): unknown[] {
  const k = key(resource);
  if (Object.prototype.hasOwnProperty.call(ROWS, k)) return ROWS[k](obj, now);
  const name = obj.metadata?.name ?? '';
  if (printerColumns || !isBuiltinGroup(resource.group)) return [name, ...(printerColumns ?? DEFAULT_CR_COLUMNS).map((c) => customCell(obj, c, now))];
  // Default table convertor: the creation time as RFC 3339 (kubectl shows it as is).
  const ts = obj.metadata?.creationTimestamp;
  const t = ts ? Date.parse(ts) : NaN;
  return [name, Number.isNaN(t) ? '0001-01-01T00:00:00Z' : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z')];
}

function rowObject(resource: ResourceInfo, obj: KubeObject, includeObject: IncludeObject): unknown {
  switch (includeObject) {
    case 'None':
      return null;
    case 'Object':
      return obj;
    default:
      // kubectl needs metadata for NAMESPACE (-A), --show-labels and -L.
      return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
  }
}

/** A meta.k8s.io/v1 Table of `objects` (one object for a GET, the items for a LIST). */
export function buildTable(resource: ResourceInfo, objects: KubeObject[], opts: BuildTableOptions): Table {
  const includeObject = opts.includeObject ?? 'Metadata';
  const rows = objects.map((obj): TableRow => {
    const row: TableRow = { cells: rowFor(resource, obj, opts.now, opts.printerColumns), object: rowObject(resource, obj, includeObject) };
    if (resource.group === '' && resource.plural === 'pods') {
      const conditions = podConditions(obj);
      if (conditions) row.conditions = conditions;
    }
    return row;
  });
  const table: Table = {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { ...(opts.listMeta ?? {}) },
    columnDefinitions: opts.noHeaders ? [] : columnsFor(resource, opts.printerColumns),
    rows,
  };
  return table;
}

/** Checks a TableOptions.includeObject query value, as ValidateTableOptions does; '' means the default. */
export function parseIncludeObject(v: string | undefined): IncludeObject | undefined {
  if (v === undefined || v === '') return 'Metadata';
  return v === 'None' || v === 'Metadata' || v === 'Object' ? v : undefined;
}
