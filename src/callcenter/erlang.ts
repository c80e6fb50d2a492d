// Erlang C staffing (M/M/N queue, callers never give up): the probability that a call
// waits, the service level and ASA for N agents, and the fewest agents meeting a target.
//   A = λ · AHT (offered load, Erlangs); Pw = ErlangC(N, A)
//   SL(t) = 1 − Pw · e^{−(N − A)·t / AHT};   ASA = Pw · AHT / (N − A)

/** Erlang C probability of waiting, by the stable Erlang B recursion. */
export function erlangC(agents: number, load: number): number {
  if (agents <= load) return 1;
  let b = 1;
  for (let k = 1; k <= agents; k++) b = (load * b) / (k + load * b);
  return (agents * b) / (agents - load * (1 - b));
}

export interface StaffingResult {
  callsPerHour: number;
  loadErlangs: number;
  agents: number;
  probWait: number;
  serviceLevel: number;
  asaSeconds: number;
  occupancy: number;
}

export function evaluate(callsPerHour: number, ahtSeconds: number, agents: number, targetSeconds: number): StaffingResult {
  const load = (callsPerHour * ahtSeconds) / 3600;
  const pw = erlangC(agents, load);
  const stable = agents > load;
  return {
    callsPerHour, loadErlangs: load, agents, probWait: pw,
    serviceLevel: stable ? 1 - pw * Math.exp((-(agents - load) * targetSeconds) / ahtSeconds) : 0,
    asaSeconds: stable ? (pw * ahtSeconds) / (agents - load) : Infinity,
    occupancy: agents > 0 ? Math.min(1, load / agents) : 1,
  };
}

/** The fewest agents whose service level within targetSeconds reaches targetSl. */
export function agentsNeeded(callsPerHour: number, ahtSeconds: number, targetSl: number, targetSeconds: number): StaffingResult {
  const load = (callsPerHour * ahtSeconds) / 3600;
  for (let n = Math.max(1, Math.floor(load) + 1); ; n++) {
    const r = evaluate(callsPerHour, ahtSeconds, n, targetSeconds);
    if (r.serviceLevel >= targetSl || callsPerHour === 0) return r;
  }
}
