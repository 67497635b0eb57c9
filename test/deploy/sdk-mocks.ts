import { Readable } from 'node:stream';
import type { GetObjectCommandOutput } from '@aws-sdk/client-s3';

/** A GetObject body as the SDK returns it in Node: a Readable with the SDK's transform helpers. */
export function objectBody(content: string | Uint8Array): NonNullable<GetObjectCommandOutput['Body']> {
  const bytes = typeof content === 'string' ? Buffer.from(content) : Buffer.from(content);
  const stream = Readable.from([bytes]);
  return Object.assign(stream, {
    transformToByteArray: async () => new Uint8Array(bytes),
    transformToString: async () => bytes.toString('utf-8'),
    transformToWebStream: () => {
      throw new Error('not used');
    },
  }) as unknown as NonNullable<GetObjectCommandOutput['Body']>;
}

/** An AWS service error as the SDK throws it: the error code is the name, with HTTP metadata. */
export function awsError(name: string, status: number, message = `${name} (test)`): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status }, $fault: status >= 500 ? 'server' : 'client' });
}

export const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:lambdaface-dev-face-search';
