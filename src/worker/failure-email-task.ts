// The job that emails an organization's global error subscribers about a failed execution, through FERRY_SMTP_URL.
// Enqueued with the sync.failed / bulk_sync.failed event, in its transaction. A sync that keeps failing is emailed
// about at most once an hour (the app's Clock; one claim per sync in the database, so two workers cannot both send).
import nodemailer from 'nodemailer';
import type { AppContext } from '../app-context.ts';
import { ferryDefaults } from '../config.ts';
import type { JobHandler } from '../queue/job-queue.ts';
import { EventType } from '../services/event-types.ts';
import type { FailureEmailPayload } from '../services/execution-transitions.ts';

function parsePayload(payload: unknown): FailureEmailPayload {
  const candidate = payload as Partial<FailureEmailPayload> | null;
  if (candidate?.version !== 1 || typeof candidate.eventId !== 'string')
    throw Object.assign(new Error(`unrecognised failure email payload ${JSON.stringify(payload)}`), {
      retryable: false,
    });
  return candidate as FailureEmailPayload;
}

export function failureEmailTask(context: AppContext): JobHandler | undefined {
  const { repositories, clock, config } = context;
  if (!config.smtpUrl) return undefined;
  const transport = nodemailer.createTransport(config.smtpUrl);

  return async (payload: unknown) => {
    const { eventId } = parsePayload(payload);
    const event = await repositories.events.getAnywhere(eventId);
    if (!event) return;
    const recipients = await repositories.notifications.subscribers(event.organization_id);
    if (recipients.length === 0) return;
    const details = JSON.parse(event.payload) as Record<string, string | undefined>;
    const syncId = details.sync_id ?? '';
    const now = clock.now();
    const notBefore = new Date(now.getTime() - ferryDefaults.failureEmailWindowMs).toISOString();
    if (!(await repositories.notifications.claimFailureEmail(syncId, now.toISOString(), notBefore))) return;
    const bulk = event.type === EventType.bulkSyncFailed;
    const link = `${config.publicUrl}/api/${bulk ? 'bulk/syncs' : 'syncs'}/${syncId}/executions/${details.execution_id}`;
    const name = details.sync_name ?? syncId;
    try {
      await transport.sendMail({
        from: config.smtpFrom,
        to: recipients,
        subject: `Ferry: ${bulk ? 'bulk sync' : 'sync'} "${name}" failed`,
        text: [
          `The ${bulk ? 'bulk sync' : 'sync'} "${name}" (${syncId}) failed.`,
          '',
          `Error: ${details.error ?? 'unknown'}`,
          '',
          `Execution: ${link}`,
          '',
          'Further failures of this sync within the hour are not emailed.',
        ].join('\n'),
      });
    } catch (error) {
      await repositories.notifications.releaseFailureEmail(syncId, now.toISOString());
      throw error;
    }
  };
}
