// Serves the OpenAPI documents kubectl downloads before apply and explain.
import type { Request, Response } from 'express';
import type { ResourceInfo } from '../../api/resourceinfo.js';
import {
  openAPIV2Document,
  openAPIV2ProtobufDocument,
  openAPIV3Document,
  openAPIV3RootDocument,
  type CustomSchemas,
  type ServedDocument,
} from '../../api/schema/openapi.js';
import { newNotFoundPath } from './handlers.js';
import { sendError } from './responses.js';

function send(req: Request, res: Response, doc: ServedDocument, immutable: boolean): void {
  const etag = `"${doc.etag}"`;
  res.setHeader('ETag', etag);
  res.setHeader('Cache-Control', immutable ? 'public, immutable' : 'no-cache, private');
  if (req.get('if-none-match') === etag) {
    res.status(304).end();
    return;
  }
  res.status(200).type(doc.contentType).send(doc.body);
}

/** What the documents describe now: the served resources (built-in and custom) and the custom resources' schemas. */
export type ServedAPI = () => Promise<{ resources: ResourceInfo[]; custom: CustomSchemas }>;

export class OpenAPIDocuments {
  constructor(private readonly served: ServedAPI) {}

  async serveV2(req: Request, res: Response): Promise<void> {
    const { resources, custom } = await this.served();
    const wantsProto = (req.get('accept') ?? '').includes('protobuf');
    send(req, res, wantsProto ? openAPIV2ProtobufDocument(resources, custom) : openAPIV2Document(resources, custom), false);
  }

  async serveV3Root(req: Request, res: Response): Promise<void> {
    const { resources, custom } = await this.served();
    send(req, res, openAPIV3RootDocument(resources, custom), false);
  }

  async serveV3(req: Request, res: Response, path: string): Promise<void> {
    const { resources, custom } = await this.served();
    const m = /^(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
    const group = m?.[2] ?? '';
    const version = m?.[1] ?? m?.[3] ?? '';
    if (!m || !resources.some((r) => r.group === group && r.version === version)) return sendError(res, newNotFoundPath(req.path));
    send(req, res, openAPIV3Document(group, version, resources, custom), req.query.hash !== undefined);
  }
}
