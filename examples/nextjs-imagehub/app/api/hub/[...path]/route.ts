import { hub } from '../../../../lib/hub.ts';

// The @hub/datapack handler mounted as a Next.js route handler: GET /api/hub/repositories,
// /api/hub/repositories/{org}/{repo}, /api/hub/organizations/{org}, POST /api/hub/datapacks, and
// with HUB_SESSION_SECRET set /api/hub/session and the PATCH/DELETE management routes.
export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return hub().handler(request);
}

export function POST(request: Request): Promise<Response> {
  return hub().handler(request);
}

export function PATCH(request: Request): Promise<Response> {
  return hub().handler(request);
}

export function DELETE(request: Request): Promise<Response> {
  return hub().handler(request);
}
