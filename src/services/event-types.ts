// The event types Ferry records (Polytomic's list). Events are written when an execution's status changes, in the
// same transaction (src/services/execution-transitions.ts), so an event exists exactly when the change committed.

export const EventType = {
  syncRunning: 'sync.running',
  syncCompleted: 'sync.completed',
  syncCompletedWithErrors: 'sync.completed_with_errors',
  syncFailed: 'sync.failed',
  syncCanceled: 'sync.canceled',
  bulkSyncRunning: 'bulk_sync.running',
  bulkSyncCompleted: 'bulk_sync.completed',
  bulkSyncCompletedWithError: 'bulk_sync.completed_with_error',
  bulkSyncFailed: 'bulk_sync.failed',
  bulkSyncCanceled: 'bulk_sync.canceled',
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

export const eventTypes: readonly EventType[] = Object.values(EventType);

export function isEventType(value: string): value is EventType {
  return (eventTypes as readonly string[]).includes(value);
}

/** The types that mean an execution failed: these email the global error subscribers. */
export const failureEventTypes: readonly EventType[] = [EventType.syncFailed, EventType.bulkSyncFailed];
