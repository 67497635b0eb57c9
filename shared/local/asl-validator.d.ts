/** The part of asl-validator 4's API (ships no declarations) that lambdaface uses. */
declare module 'asl-validator' {
  interface ValidationOptions {
    checkPaths?: boolean;
    checkArn?: boolean;
  }
  interface ValidationResult {
    isValid: boolean;
    errors: Array<{ 'Error code'?: string; Message?: string; message?: string }>;
    errorsText(separator?: string): string;
  }
  /** Note: it writes a default `QueryLanguage` into every state of the definition it is given. */
  function validator(definition: unknown, options?: ValidationOptions): ValidationResult;
  export default validator;
}
