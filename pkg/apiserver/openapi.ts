// Serves the OpenAPI documents kubectl downloads before apply and explain.
import type { Request, Response } from 'express';
import type { ResourceInfo } from '../../api/resourceinfo.js';
import { openAPIV2Document, openAPIV2ProtobufDocument, openAPIV3Document, openAPIV3RootDocument, type ServedDocument } from '../../api/schema/openapi.js';
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

export class OpenAPIDocuments {
  constructor(private readonly resources: ResourceInfo[]) {}

  serveV2(req: Request, res: Response): void {
    const wantsProto = (req.get('accept') ?? '').includes('protobuf');
    send(req, res, wantsProto ? openAPIV2ProtobufDocument(this.resources) : openAPIV2Document(this.resources), false);
  }

  serveV3Root(req: Request, res: Response): void {
    send(req, res, openAPIV3RootDocument(this.resources), false);
  }

  serveV3(req: Request, res: Response, path: string): void {
    const m = /^(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
    const group = m?.[2] ?? '';
    const version = m?.[1] ?? m?.[3] ?? '';
    if (!m || !this.resources.some((r) => r.group === group && r.version === version)) return sendError(res, newNotFoundPath(req.path));
    send(req, res, openAPIV3Document(group, version, this.resources), req.query.hash !== undefined);
  }
}
