/** The type of the failure an action update is refused with; its details hold `{ state, allowed }`. */
export const ACTION_NOT_ALLOWED = 'action_not_allowed';
