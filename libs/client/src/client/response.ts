import { ResponseCode, ResponseError, type RemotingCommand } from '@rocketts/protocol';

const SUCCESS_ONLY: readonly number[] = [ResponseCode.SUCCESS];

/** Return `resp` if its code is one of `accepted`, else throw the typed ResponseError for it. */
export function expectResponse(
  resp: RemotingCommand,
  addr: string,
  requestCode: number,
  accepted: readonly number[] = SUCCESS_ONLY,
): RemotingCommand {
  if (!accepted.includes(resp.code)) throw new ResponseError(resp.code, resp.remark, addr, requestCode);
  return resp;
}
