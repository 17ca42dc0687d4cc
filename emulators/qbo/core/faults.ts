/**
 * QBO's error shapes (docs/qbo-facts.md §7). Codes 2010, 5010, 6240, 6140, 610, 2500, 6000, 3001 and 3200 are
 * listed there; 2020 (required param missing), 2050 (string length), 4000/4001 (query parse/validation),
 * 500 (unsupported operation) and 10000 (system failure) follow Intuit's published error-code list and are
 * named as such in README.md. Where a fault was recorded from real QBO (test/fixtures/qbo-recorded/, pinned by
 * test/emulators/qbo-recorded.test.ts) its text is the recorded one, and the cassette is named next to it.
 */

export interface FaultError {
  Message: string;
  Detail?: string;
  code: string;
  element?: string;
}

export interface FaultBody {
  Fault: { Error: FaultError[]; type: string };
}

/** A QBO Fault answer: thrown by rules, turned into an HTTP response (or a batch item Fault). */
export class QboFault extends Error {
  constructor(
    readonly status: number,
    readonly body: FaultBody,
    /** Whether the answer carries QBO's `time` field; the recorded 2030 "Invalid ID" answer has none. */
    readonly timed = true,
  ) {
    super(body.Fault.Error.map((e) => `${e.code} ${e.Message}${e.Detail ? `: ${e.Detail}` : ''}`).join('; '));
    this.name = 'QboFault';
  }

  get code(): string {
    return this.body.Fault.Error[0]?.code ?? '';
  }
}

function fault(status: number, type: string, code: string, Message: string, Detail?: string, element?: string): QboFault {
  const error: FaultError = { Message, code };
  if (Detail !== undefined) error.Detail = Detail;
  if (element !== undefined) error.element = element;
  return new QboFault(status, { Fault: { Error: [error], type } });
}

const validation = (code: string, message: string, detail?: string, element?: string): QboFault =>
  fault(400, 'ValidationFault', code, message, detail, element);

export const faults = {
  unsupportedProperty: (detail: string, element?: string) =>
    validation(
      '2010',
      'Request has invalid or unsupported property',
      `Property Name:${detail} specified is unsupported or invalid`,
      element,
    ),
  requiredMissing: (element: string) =>
    validation(
      '2020',
      'Required param missing, need to supply the required value for the API',
      `Required parameter ${element} is missing in the request`,
      element,
    ),
  stringLength: (element: string, max: number, length: number) =>
    validation(
      '2050',
      'String length is either shorter or longer than supported by specification',
      `String length specified does not match the supported length. Min:0 Max:${max} supplied length:${length}`,
      element,
    ),
  invalidReference: (entity: string, id: string, element: string) =>
    validation('2500', 'Invalid Reference Id', `Invalid Reference Id : ${entity} element id ${id} not found`, element),
  inactiveReference: (element: string) => validation('610', 'Object Not Found', OBJECT_NOT_FOUND, element),
  // Real QBO answers an Id that does not exist (a delete of Invoice 129, long gone, in a recorded batch) with the
  // same text as an inactive reference, element "", naming neither the entity nor the Id
  // (test/fixtures/qbo-recorded/qbo_api/batch/basic.yml, item bid2). The arguments only say what was looked for.
  notFound: (_entity?: string, _id?: string) => validation('610', 'Object Not Found', OBJECT_NOT_FOUND, ''),
  // GET /customer/1.5: 400 "Invalid ID", and the answer has no `time` (test/fixtures/qbo-recorded/qbo_api/error/500.yml).
  invalidId: (value: string) =>
    new QboFault(
      400,
      {
        Fault: {
          Error: [{ Message: 'Invalid ID', Detail: `Id should be a valid number. Supplied value:${value}`, code: '2030', element: 'Id' }],
          type: 'ValidationFault',
        },
      },
      false,
    ),
  // The 5010 QBO sends for a stale SyncToken names the other user and neither the entity, its Id nor the
  // SyncTokens: Intuit's batch sample answer ("bid3",
  // https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/batch) reads "Stale Object
  // Error : You and root were working on this at the same time. root finished before you did, so your work
  // was not saved." with element "". The emulator has no users, so the other one is "root" as in that
  // sample (docs/qbo-facts.md §7). A client learns the current SyncToken only by reading the entity again.
  stale: (otherUser = 'root') =>
    validation(
      '5010',
      'Stale Object Error',
      `Stale Object Error : You and ${otherUser} were working on this at the same time. ${otherUser} finished before you did, so your work was not saved.`,
      '',
    ),
  // Real QBO names no Id in a 6240: recorded answers read "The name supplied already exists. : null"
  // (https://github.com/ruckus/quickbooks-ruby/blob/master/lib/quickbooks/service/base_service_json.rb,
  // comment with Intuit's typical response; docs/qbo-facts.md §7). A client must find the clash by query.
  duplicateName: () => validation('6240', 'Duplicate Name Exists Error', 'The name supplied already exists. : null'),
  duplicateDocNumber: (docNumber: string, txnType: string, txnId: string) =>
    validation(
      '6140',
      'Duplicate Document Number Error',
      `Duplicate Document Number Error : You must specify a different number. This number has already been used. DocNumber=${docNumber} is assigned to TxnType=${txnType} with TxnId=${txnId}`,
      'DocNumber',
    ),
  business: (detail: string, element?: string) =>
    validation(
      '6000',
      'A business validation error has occurred while processing your request',
      `Business Validation Error: ${detail}`,
      element,
    ),
  unsupportedOperation: (detail: string) => validation('500', 'Unsupported Operation', detail),
  // GET /customer/1/5 (a path QBO has no resource for): test/fixtures/qbo-recorded/qbo_api/error/500.yml.
  unknownResource: (relative: string, full: string) =>
    validation(
      '500',
      'Unsupported Operation',
      `Operation Could not find resource for relative : ${relative} of full path: ${full} is not supported.`,
    ),
  queryParse: (detail: string) => validation('4000', 'Error parsing query', `QueryParserError: ${detail}`),
  queryValidation: (detail: string) => validation('4001', 'Invalid query', `QueryValidationError: ${detail}`),
  // HTTP 429 as recorded by ruckus/quickbooks-ruby: code "3001" (the message says 003001), a SERVICE fault, and
  // its detail with two spaces (test/fixtures/qbo-recorded/quickbooks-ruby/too_many_requests_error.xml; docs/qbo-facts.md §1).
  throttled: () =>
    fault(
      429,
      'SERVICE',
      '3001',
      'message=ThrottleExceeded; errorCode=003001; statusCode=429',
      'The request limit was reached.  Try again later',
    ),
  system: (status: number) =>
    fault(
      status,
      'SystemFault',
      '10000',
      'An application error has occurred while processing your request',
      'System Failure Error: injected by the emulator',
    ),
};

const OBJECT_NOT_FOUND =
  "Object Not Found : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees.";

/**
 * The lower-case 401 QBO sends for an expired or unknown access token, every field of the recorded answer in its
 * order, `time` in epoch milliseconds (test/fixtures/qbo-recorded/qbo_api/error/401.yml; docs/qbo-facts.md §7).
 */
export function authenticationFailedBody(detail: string, timeMs: number): object {
  return {
    warnings: null,
    intuitObject: null,
    fault: {
      error: [{ message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401', detail, code: '3200', element: null }],
      type: 'AUTHENTICATION',
    },
    report: null,
    queryResponse: null,
    batchItemResponse: [],
    attachableResponse: [],
    syncErrorResponse: null,
    requestId: null,
    time: timeMs,
    status: null,
    cdcresponse: [],
  };
}

/** The header the recorded 401 carries (test/fixtures/qbo-recorded/qbo_api/error/401.yml). */
export const AUTHENTICATION_FAILED_HEADERS = { 'WWW-Authenticate': 'Bearer realm="Intuit", error="invalid_token"' };
