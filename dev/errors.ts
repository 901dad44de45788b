/** Something of the dev stack did not start; the message is one line naming it and the cause, shown as is. */
export class StartError extends Error {
  override name = 'StartError';
}
