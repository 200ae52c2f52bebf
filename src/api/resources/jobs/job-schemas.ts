// Wire shapes of jobs (the 2025-09-18 API reference; identical in 2024-02-08).
import Type from 'typebox';
import { Envelope } from '../envelope.ts';

export const WorkTaskStatus = Type.Union(
  ['created', 'running', 'done', 'failed'].map((value) => Type.Literal(value)),
  { title: 'WorkTaskStatus' },
);

export const JobResponse = Type.Object(
  {
    job_id: Type.Optional(Type.String()),
    type: Type.Optional(Type.String()),
    status: Type.Optional(WorkTaskStatus),
    result: Type.Optional(Type.Unknown({ description: 'Shape depends on the job type; only when status is done.' })),
    error: Type.Optional(Type.String()),
  },
  { title: 'JobResponse' },
);

export const JobResponseEnvelope = Envelope('JobResponseEnvelope', JobResponse);

export const JobParams = Type.Object({ type: Type.String(), id: Type.String() });
