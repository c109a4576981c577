/**
 * Time as a dependency (the drills have their own monotonic Clock in client-writer.ts): steps that wait read the time and sleep through a StepClock, so a test can
 * step time forward exactly instead of depending on how fast the machine runs its polls.
 */

export interface StepClock {
  /** Milliseconds since the epoch. */
  now(): number
  /** Resolves after `ms`, rejects early when the signal aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>
}

/** Sleeps, but wakes early (rejecting) when the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason ?? new Error('aborted'))
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal.reason ?? new Error('aborted'))
    }
    signal.addEventListener('abort', onAbort, {once: true})
  })
}

export const systemClock: StepClock = {now: () => Date.now(), sleep}

/** A clock that only moves when slept on: each sleep advances it by exactly the time asked. */
export function manualClock(start = 0): StepClock & {advance(ms: number): void} {
  let t = start
  return {
    now: () => t,
    advance(ms: number) {
      t += ms
    },
    async sleep(ms: number, signal: AbortSignal) {
      if (signal.aborted) throw signal.reason ?? new Error('aborted')
      t += ms
    },
  }
}
