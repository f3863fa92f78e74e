import { ResponseCode } from '@rocketts/protocol';
import { PutMessageStatus, type PutMessageStatusValue } from '../store/statuses';

/** PutMessageStatus → ResponseCode (SendMessageProcessor.handlePutMessageResult). */
export function putStatusToResponse(status: PutMessageStatusValue): { code: number; remark?: string } {
  switch (status) {
    case PutMessageStatus.PUT_OK:
      return { code: ResponseCode.SUCCESS };
    case PutMessageStatus.FLUSH_DISK_TIMEOUT:
      return { code: ResponseCode.FLUSH_DISK_TIMEOUT };
    case PutMessageStatus.FLUSH_SLAVE_TIMEOUT:
      return { code: ResponseCode.FLUSH_SLAVE_TIMEOUT };
    case PutMessageStatus.SLAVE_NOT_AVAILABLE:
      return { code: ResponseCode.SLAVE_NOT_AVAILABLE };
    case PutMessageStatus.SERVICE_NOT_AVAILABLE:
    case PutMessageStatus.DISK_FULL:
      return { code: ResponseCode.SERVICE_NOT_AVAILABLE };
    case PutMessageStatus.MESSAGE_ILLEGAL:
    case PutMessageStatus.PROPERTIES_SIZE_EXCEEDED:
      return { code: ResponseCode.MESSAGE_ILLEGAL };
    case PutMessageStatus.CREATE_MAPPED_FILE_FAILED:
      return {
        code: ResponseCode.SYSTEM_ERROR,
        remark: 'create mapped file failed, server is busy or broken',
      };
    default:
      return { code: ResponseCode.SYSTEM_ERROR, remark: 'unknown store error' };
  }
}
