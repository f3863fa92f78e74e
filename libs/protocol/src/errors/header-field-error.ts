import { ProtocolError } from './protocol-error';

/** A custom-header field (extFields) is missing or not of its Java type. */
export class HeaderFieldError extends ProtocolError {
  constructor(
    readonly header: string,
    readonly field: string,
    readonly value: string | undefined,
  ) {
    super(
      value === undefined
        ? `${header}: required field '${field}' is missing`
        : `${header}: field '${field}' has invalid value '${value}'`,
      'HEADER_FIELD_INVALID',
    );
  }
}
