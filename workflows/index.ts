// The workflows one worker registers (its workflowsPath).
export { extractionWorkflow } from './extraction';
