/** The published files in the published zone's bucket: `published/<key>` is `<key>` there. */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { EngineUnavailableError, type PublishedFiles } from '../../core/ports/published-table';

export function s3PublishedFiles(client: S3Client, publishedBucket: string): PublishedFiles {
  return {
    async readText(location) {
      if (!location.startsWith('published/')) throw new Error(`the API reads the published zone only, not ${location}`);
      const key = location.slice('published/'.length);
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: publishedBucket, Key: key }));
        if (!object.Body) throw new Error('empty body');
        return await object.Body.transformToString('utf8');
      } catch (error) {
        throw new EngineUnavailableError(`s3://${publishedBucket}/${key} cannot be read: ${error instanceof Error ? error.name : String(error)}`);
      }
    },
  };
}
