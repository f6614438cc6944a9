// The cluster page: draws what the server's event stream says (a snapshot, then
// changes), never polls. Every text from the cluster goes in through textContent.
// The stream's types are the server's own (type imports: nothing of the server's
// code is bundled).
import type { Change, ClusterView, EventLine, NodeColumn, OwnerLink, PodCard } from '../../../pkg/dashboard/viewmodel.js';

function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the page has no #${id}`);
  return e as T;
}
const board = $('board');
const nsSelect = $<HTMLSelectElement>('namespace');
const selectorInput = $<HTMLInputElement>('selector');

/** name → node column; namespace/name → pod card, as the server's view model (pkg/dashboard/viewmodel.ts). */
const nodes = new Map<string, NodeColumn>();
const pods = new Map<string, PodCard>();
const namespaces = new Set<string>();
let stream: EventSource | undefined;
let selected = '';
let drawScheduled = false;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string | false | undefined)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c) e.append(c);
  return e;
}

const cpu = (m: number) => (m >= 1000 ? `${(m / 1000).toFixed(m % 1000 ? 2 : 0)} cores` : `${m}m`);
const mem = (b: number) => {
  const units = ['B', 'Ki', 'Mi', 'Gi', 'Ti'];
  let i = 0;
  while (b >= 1024 && i < units.length - 1) ((b /= 1024), i++);
  return `${b >= 10 || i === 0 ? Math.round(b) : b.toFixed(1)}${units[i]}`;
};

function meter(label: string, used: number, total: number, fmt: (n: number) => string): HTMLElement {
  const pct = total > 0 ? Math.min(100, (used / total) * 100) : 0;
  const fill = el('span', { style: `width:${pct.toFixed(1)}%` });
  if (used > total) fill.classList.add('over');
  return el('div', { class: 'meter' }, el('div', { text: `${label} ${fmt(used)} requested of ${fmt(total)}` }), el('div', { class: 'bar' }, fill));
}

function card(p: PodCard): HTMLElement {
  const c = el('button', { class: 'card', type: 'button', 'data-key': p.key, 'data-state': p.state, title: `${p.phase}${p.ready ? ', ready' : ''}` });
  if (p.key === selected) c.classList.add('selected');
  c.append(el('div', { class: 'name', text: p.name }));
  const sub = el('div', { class: 'sub' }, el('span', { text: p.namespace }));
  sub.append(el('span', { class: 'restarts', text: `↻ ${p.restarts}` }));
  if (p.usage) sub.append(el('span', { class: 'usage', text: `${cpu(p.usage.cpu)} · ${mem(p.usage.memory)}` }));
  c.append(sub);
  if (p.reason) c.append(el('div', { class: 'reason', text: p.reason }));
  if (p.schedulingMessage) c.append(el('div', { class: 'why', text: p.schedulingMessage }));
  c.addEventListener('click', () => openDetail(p.key));
  return c;
}

function column(title: string, cls: string, head: HTMLElement, list: PodCard[]): HTMLElement {
  const col = el('section', { class: `column ${cls}`, 'data-column': title });
  col.append(head);
  const cards = el('div', { class: 'cards' });
  if (!list.length) cards.append(el('div', { class: 'empty', text: 'no pods' }));
  for (const p of list) cards.append(card(p));
  col.append(cards);
  return col;
}

function draw(): void {
  drawScheduled = false;
  const byNode = new Map<string, PodCard[]>();
  const pending: PodCard[] = [];
  for (const p of [...pods.values()].sort((a, b) => a.key.localeCompare(b.key))) {
    if (!p.node) pending.push(p);
    else byNode.set(p.node, [...(byNode.get(p.node) ?? []), p]);
  }
  const frag = document.createDocumentFragment();
  frag.append(column('pending', 'pending-column', el('h2', { text: `Pending (${pending.length})` }), pending));
  for (const n of [...nodes.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const head = el('div');
    const badge = el('span', { class: `badge${n.ready ? '' : ' bad'}`, text: n.ready ? 'Ready' : 'NotReady' });
    head.append(el('h2', {}, el('span', { class: 'node-name', text: n.name }), badge));
    const conds = el('div', { class: 'conditions' });
    for (const c of n.conditions)
      conds.append(el('span', { class: n.problems.includes(c.type) ? 'bad' : '', title: c.message, text: `${c.type}=${c.status} ` }));
    if (n.unschedulable) conds.append(el('span', { class: 'bad', text: 'SchedulingDisabled' }));
    head.append(conds, meter('CPU', n.requested.cpu, n.allocatable.cpu, cpu), meter('Memory', n.requested.memory, n.allocatable.memory, mem));
    frag.append(column(n.name, 'node-column', head, byNode.get(n.name) ?? []));
  }
  // Pods bound to a node the stream has not shown (yet) still get a column.
  for (const [name, list] of byNode) if (!nodes.has(name)) frag.append(column(name, 'node-column', el('h2', { text: name }), list));
  board.replaceChildren(frag);
  $('summary').textContent = `${nodes.size} node(s) · ${pods.size} pod(s)`;
  for (const ns of [...namespaces].sort()) {
    if (![...nsSelect.options].some((o) => o.value === ns)) nsSelect.append(el('option', { value: ns, text: ns }));
  }
}

function scheduleDraw(): void {
  if (drawScheduled) return;
  drawScheduled = true;
  requestAnimationFrame(draw);
}

function apply(change: Change): void {
  switch (change.type) {
    case 'pod':
      pods.set(change.card.key, change.card);
      namespaces.add(change.card.namespace);
      break;
    case 'pod-delete':
      pods.delete(change.key);
      break;
    case 'node':
      nodes.set(change.column.name, change.column);
      break;
    case 'node-delete':
      nodes.delete(change.name);
      break;
  }
}

function streamURL(): string {
  const q = new URLSearchParams();
  if (nsSelect.value) q.set('namespace', nsSelect.value);
  if (selectorInput.value.trim()) q.set('labelSelector', selectorInput.value.trim());
  return `api/stream?${q}`;
}

function connect(): void {
  stream?.close();
  $('filter-error').textContent = '';
  const url = streamURL();
  history.replaceState(null, '', `?${url.split('?')[1]}`);
  const s = (stream = new EventSource(url));
  s.addEventListener('open', () => ($('connection').className = 'up'));
  s.addEventListener('snapshot', (e) => {
    const snap = JSON.parse(e.data) as ClusterView;
    nodes.clear();
    pods.clear();
    for (const n of snap.nodes) nodes.set(n.name, n);
    for (const p of snap.pods) (pods.set(p.key, p), namespaces.add(p.namespace));
    scheduleDraw();
  });
  s.addEventListener('changes', (e) => {
    for (const ch of JSON.parse(e.data) as Change[]) apply(ch);
    scheduleDraw();
  });
  s.addEventListener('error', async () => {
    $('connection').className = 'down';
    if (s.readyState !== EventSource.CLOSED || s !== stream) return;
    // The server refused the stream: say why (a bad selector), else try again shortly.
    const res = await fetch(url).catch(() => undefined);
    if (res && res.status === 400) $('filter-error').textContent = ((await res.json()) as { message: string }).message;
    else setTimeout(() => s === stream && connect(), 2000);
  });
}

// --- the detail panel: owners, events and logs of one pod, live while it is open.
let detailStreams: EventSource[] = [];

function closeDetail(): void {
  for (const s of detailStreams) s.close();
  detailStreams = [];
  selected = '';
  $('detail').hidden = true;
  scheduleDraw();
}

function podPath(key: string): string {
  const [ns, name] = key.split('/');
  return `api/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(name)}`;
}

function followLog(key: string, container: string): void {
  const log = $('log');
  log.textContent = '';
  $('log-state').textContent = 'following';
  const s = new EventSource(`${podPath(key)}/log?container=${encodeURIComponent(container)}`);
  detailStreams.push(s);
  s.addEventListener('lines', (e) => {
    const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    log.append(document.createTextNode((JSON.parse(e.data) as string[]).join('\n') + '\n'));
    if (atBottom) log.scrollTop = log.scrollHeight;
  });
  const stop = (why: string) => {
    s.close();
    $('log-state').textContent = why;
  };
  s.addEventListener('end', () => stop('log ended'));
  s.addEventListener('failed', (e) => stop((JSON.parse(e.data) as { message: string }).message));
}

function openDetail(key: string): void {
  closeDetail();
  selected = key;
  const p = pods.get(key);
  $('detail').hidden = false;
  $('detail-title').textContent = key;
  const owners = $('owners');
  owners.textContent = '';
  fetch(`${podPath(key)}/owners`)
    .then((r) => r.json() as Promise<{ chain?: OwnerLink[]; message?: string }>)
    .then((body) => {
      if (selected !== key) return;
      if (!body.chain) return void (owners.textContent = body.message ?? '');
      body.chain.forEach((o, i) => {
        if (i) owners.append(' → ');
        owners.append(el('span', { text: `${o.kind} ` }), el('b', { text: o.name }));
      });
    });
  const rows = $<HTMLTableElement>('events').tBodies[0];
  rows.replaceChildren();
  const events = new Map<string, EventLine & { uid: string }>();
  const es = new EventSource(`${podPath(key)}/events`);
  detailStreams.push(es);
  es.addEventListener('event', (e) => {
    const ev = JSON.parse(e.data) as EventLine & { uid: string };
    events.set(ev.uid, ev);
    rows.replaceChildren(
      ...[...events.values()]
        .sort((a, b) => a.time.localeCompare(b.time))
        .map((x) =>
          el(
            'tr',
            { class: x.type },
            el('td', { text: x.reason }),
            el('td', { text: x.message }),
            el('td', { text: x.count > 1 ? `×${x.count}` : '' }),
            el('td', { text: x.time.replace('T', ' ').replace('Z', '') }),
          ),
        ),
    );
  });
  const sel = $<HTMLSelectElement>('container');
  sel.replaceChildren(...(p?.containers ?? []).map((c) => el('option', { value: c, text: c })));
  sel.onchange = () => {
    detailStreams = detailStreams.filter((s) => !s.url.includes('/log?') || (s.close(), false));
    followLog(key, sel.value);
  };
  followLog(key, sel.value);
  scheduleDraw();
}

$('detail-close').addEventListener('click', closeDetail);
document.addEventListener('keydown', (e) => e.key === 'Escape' && closeDetail());
nsSelect.addEventListener('change', connect);
selectorInput.addEventListener('change', connect);

const initial = new URLSearchParams(location.search);
const initialNamespace = initial.get('namespace');
if (initialNamespace) {
  nsSelect.append(el('option', { value: initialNamespace, text: initialNamespace }));
  nsSelect.value = initialNamespace;
}
selectorInput.value = initial.get('labelSelector') ?? '';
connect();
