// What the demo's steps hand each other: the city, the options and results of the history,
// the parts of the orders. Plain data, since it crosses to the worker threads (pipeline.ts).
import type { SealedCitizen } from '../privacy/index.js';
import type { WorkOrder } from '../workorders/index.js';

export interface DemoUnit {
  id: number;
  name: string;
  kind: string;
  parentId: number | null;
}

export interface DemoCity {
  units: DemoUnit[];
  byName: Map<string, DemoUnit>;
  districts: DemoUnit[];
  subdistrictsOf: Map<number, DemoUnit[]>;
  center: DemoUnit;
  /** username → roles, for the printed list of demo logins. */
  logins: { username: string; displayName: string; roles: string[]; unit: string }[];
  usersByRole: Map<string, number[]>;
  /** Handler user ids per unit id. */
  handlersOf: Map<number, number[]>;
}

/** Progress of a stage: done out of total. */
export type Progress = (stage: string, done: number, total: number) => void;

/** What the history needs besides the city and the random source (plain data: it crosses to the worker). */
export interface HistoryOptions {
  contacts: number;
  orders: number;
  withContacts: boolean;
  days: number;
  end: Date;
  timeZone: string;
}
export interface HistorySummary {
  orders: number;
  events: number;
  open: number;
  contacts: number;
  calls: number;
}
export interface HistoryHooks {
  stage: (name: string) => void;
  onProgress?: Progress;
}

/** When the orders were created, in time order, and which of them are the last day's hot-topic burst. */
export interface OrderTimes {
  times: Float64Array;
  burst: Uint8Array;
}
/** A stretch of the orders to generate: their times, the id of the first, the seeds of their draws. */
export interface OrderPart extends OrderTimes {
  firstId: number;
  seeds: { orders: number; citizens: number };
}
export interface OrdersResult {
  orders: number;
  events: number;
  open: number;
  infos: OrderInfo[];
  running: WorkOrder[];
  /** Last order number of each day (YYYYMMDD) in the part. */
  counters: [string, number][];
}

/** What the contacts of the demo need to know of each order (the citizen already encrypted). */
export interface OrderInfo {
  id: number;
  at: number;
  agentId: number;
  citizen: SealedCitizen;
  title: string;
}
