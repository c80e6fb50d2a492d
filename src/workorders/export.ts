// The order list as a file (Excel or CSV): exactly the rows the list's filter selects, through
// the same visibility rule, masked as lists are, in the reader's language and the city's clock.
// Rows are read a page at a time and written as they come, so a big export never sits in memory.
import { PassThrough, type Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Queryable } from '../db/database.js';
import type { Actor } from '../core/context.js';
import { badRequest } from '../core/errors.js';
import { cityDate, cityDateTime } from '../core/time.js';
import type { Language } from '../core/i18n.js';
import { masked } from './service.js';
import { fromRow } from './model.js';
import { countRows, pageOfRows, type ListFilter } from './listing.js';
import type { OrderType, Status, Urgency, WorkOrder } from './vocabulary.js';

export const EXPORT_FORMATS = ['xlsx', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export type ExportLanguage = Language;
/** More rows than this is a question for the statistics, not a file: narrow the filter. */
export const MAX_EXPORT_ROWS = 100_000;
const BATCH = 500;

const WORDS = {
  'zh-CN': {
    file: '工单',
    sheet: '工单',
    yes: '是',
    no: '否',
    columns: {
      number: '工单编号',
      title: '标题',
      type: '类型',
      urgency: '紧急程度',
      status: '状态',
      category: '诉求分类',
      district: '所在区',
      unit: '承办单位',
      coUnits: '协办单位',
      deadline: '办理时限',
      overdue: '是否超期',
      createdAt: '受理时间',
      dispatchedAt: '派单时间',
      signedAt: '签收时间',
      repliedAt: '答复时间',
      closedAt: '办结时间',
      address: '地址',
      citizenName: '来电人',
      citizenPhone: '来电号码',
    },
    status: { new: '新建', dispatched: '已派单', accepted: '已签收', returned: '已退回', replied: '已答复', reopened: '重办', closed: '已办结' },
    type: { consultation: '咨询', request: '求助', complaint: '投诉', report: '举报', suggestion: '建议', praise: '表扬' },
    urgency: { normal: '一般', urgent: '紧急' },
  },
  en: {
    file: 'orders',
    sheet: 'Orders',
    yes: 'Yes',
    no: 'No',
    columns: {
      number: 'Order number',
      title: 'Title',
      type: 'Type',
      urgency: 'Urgency',
      status: 'Status',
      category: 'Category',
      district: 'District',
      unit: 'Main unit',
      coUnits: 'Co-units',
      deadline: 'Deadline',
      overdue: 'Overdue',
      createdAt: 'Received',
      dispatchedAt: 'Dispatched',
      signedAt: 'Accepted',
      repliedAt: 'Replied',
      closedAt: 'Closed',
      address: 'Address',
      citizenName: 'Caller',
      citizenPhone: 'Phone',
    },
    status: { new: 'New', dispatched: 'Dispatched', accepted: 'Accepted', returned: 'Returned', replied: 'Replied', reopened: 'Reopened', closed: 'Closed' },
    type: { consultation: 'Consultation', request: 'Request', complaint: 'Complaint', report: 'Report', suggestion: 'Suggestion', praise: 'Praise' },
    urgency: { normal: 'Normal', urgent: 'Urgent' },
  },
} satisfies Record<
  ExportLanguage,
  {
    file: string;
    sheet: string;
    yes: string;
    no: string;
    columns: Record<string, string>;
    status: Record<Status, string>;
    type: Record<OrderType, string>;
    urgency: Record<Urgency, string>;
  }
>;

type Column = keyof (typeof WORDS)['zh-CN']['columns'];
const COLUMNS = Object.keys(WORDS['zh-CN'].columns) as Column[];
const WIDTHS: Partial<Record<Column, number>> = { number: 16, title: 36, category: 24, unit: 20, coUnits: 20, address: 30 };

export interface ExportFile {
  /** Rows in the file (known before the first byte is sent: the client shows progress with it). */
  total: number;
  fileName: string;
  contentType: string;
  body: Readable;
}

/** The file of the filtered orders, sorted as the list is. */
export async function exportOrders(
  db: Queryable,
  actor: Actor,
  f: ListFilter,
  opts: { format: ExportFormat; lang: ExportLanguage; timeZone: string },
): Promise<ExportFile> {
  const { format, lang, timeZone } = opts;
  const words = WORDS[lang];
  const total = await countRows(db, actor, f, timeZone);
  if (total > MAX_EXPORT_ROWS) throw badRequest('workorders.exportTooLarge', { total, max: MAX_EXPORT_ROWS }, 'from');
  const names = await lookups(db);
  const at = (v: string | null) => (v ? cityDateTime(v, timeZone) : '');
  // The one row builder: an order's cells in column order, the same for both formats.
  const cells = (o: WorkOrder, due: string | null): string[] => {
    const c: Record<Column, string> = {
      number: o.number,
      title: o.title,
      type: words.type[o.type],
      urgency: words.urgency[o.urgency],
      status: words.status[o.status],
      category: o.categoryCode ? (names.categories.get(o.categoryCode) ?? o.categoryCode) : '',
      district: names.unit(o.location?.districtUnitId),
      unit: names.unit(o.mainUnitId),
      coUnits: o.coUnitIds.map((u) => names.unit(u)).join(lang === 'en' ? ', ' : '、'),
      deadline: at(due),
      overdue: due && new Date(due).getTime() <= Date.now() ? words.yes : words.no,
      createdAt: at(o.createdAt),
      dispatchedAt: at(o.dispatchedAt),
      signedAt: at(o.signedAt),
      repliedAt: at(o.repliedAt),
      closedAt: at(o.closedAt),
      address: o.location?.address ?? '',
      citizenName: o.citizen?.name ?? '',
      citizenPhone: o.citizen?.phone ?? '',
    };
    return COLUMNS.map((k) => c[k]);
  };

  async function* rows(): AsyncGenerator<string[]> {
    let cursor: string | null = null;
    do {
      const page: { rows: Record<string, any>[]; nextCursor: string | null } = await pageOfRows(db, actor, f, { limit: BATCH, cursor }, timeZone);
      for (const r of page.rows) yield cells(masked(fromRow(r)), r.running_due_at ? new Date(r.running_due_at).toISOString() : null);
      cursor = page.nextCursor;
    } while (cursor);
  }

  const body = new PassThrough();
  const header = COLUMNS.map((c) => words.columns[c]);
  const write = writeRows(body, format === 'csv' ? csvWriter(body) : xlsxWriter(body, words.sheet), header, rows());
  // A failure half-way ends the download broken rather than passing for a complete file.
  write.catch((e: unknown) => body.destroy(e instanceof Error ? e : new Error(String(e))));
  const ext = format === 'csv' ? 'csv' : 'xlsx';
  return {
    total,
    fileName: `${words.file}_${cityDate(new Date(), timeZone)}.${ext}`,
    contentType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    body,
  };
}

async function lookups(db: Queryable) {
  const { rows: units } = await db.query<{ id: number; name: string }>('SELECT id, name FROM units');
  const unitNames = new Map(units.map((u) => [u.id, u.name]));
  // Each category by the path of its names (城乡建设 / 市容环卫), as people know them.
  const { rows: cats } = await db.query<{ code: string; path: string }>(
    `WITH RECURSIVE p AS (SELECT id, code, name::text AS path FROM categories WHERE parent_id IS NULL
                          UNION ALL SELECT c.id, c.code, p.path || ' / ' || c.name FROM categories c JOIN p ON c.parent_id = p.id)
     SELECT code, path FROM p`,
  );
  return {
    unit: (id: number | null | undefined) => (id == null ? '' : (unitNames.get(id) ?? '')),
    categories: new Map(cats.map((c) => [c.code, c.path])),
  };
}

/** How a format writes the rows it is given: the header, then each row's cells in column order. */
interface RowWriter {
  header(cells: string[]): void;
  row(cells: string[]): void;
  end(): Promise<void> | void;
}

/** Writes the rows through `w`, waiting whenever the stream is full, so a slow download slows the reading down. */
async function writeRows(out: PassThrough, w: RowWriter, header: string[], rows: AsyncIterable<string[]>) {
  w.header(header);
  for await (const r of rows) {
    w.row(r);
    if (out.writableNeedDrain) await new Promise<void>((resolve) => out.once('drain', resolve));
  }
  await w.end();
}

const csvField = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const NUMBER_AT = COLUMNS.indexOf('number');

/**
 * CSV as Excel on a Chinese Windows opens it: a UTF-8 byte-order mark, CRLF line ends, and the
 * order number written ="…" so the 13 digits are not turned into 2.02612E+12.
 */
function csvWriter(out: PassThrough): RowWriter {
  const line = (cells: string[]) => cells.map(csvField).join(',') + '\r\n';
  return {
    header: (cells) => out.write('\uFEFF' + line(cells)),
    row: (cells) => out.write(line(cells.map((v, i) => (i === NUMBER_AT ? `="${v}"` : v)))),
    end: () => void out.end(),
  };
}

/** Excel, streamed: a frozen bold header row, each row committed as it comes. */
function xlsxWriter(out: PassThrough, sheetName: string): RowWriter {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const ws = wb.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  return {
    header: (cells) => {
      ws.columns = COLUMNS.map((c, i) => ({ header: cells[i], key: c, width: WIDTHS[c] ?? 14 }));
      ws.getRow(1).font = { bold: true };
      ws.getRow(1).commit();
    },
    row: (cells) => ws.addRow(cells).commit(),
    end: async () => {
      ws.commit();
      await wb.commit();
    },
  };
}
