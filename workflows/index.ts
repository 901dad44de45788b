// The workflows one worker registers (its workflowsPath).
export { extractionJob } from './extraction-job';
export { fileExpiryWorkflow } from './file-expiry';
export { syncJob } from './sync-job';
export { webhookDelivery } from './webhook-delivery';
export { emailDelivery } from './email-delivery';
export { scheduledExtraction } from './scheduled-extraction';
