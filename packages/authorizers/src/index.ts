// @gw/authorizers public surface: every export named here (no `export *`).
export { lambdaAuthorizer, flushAuthorizerCache, USAGE_IDENTIFIER_KEY } from './lambda-authorizer.js'
export { GENERATION_REFRESH_MS } from './stage-generations.js'
export type { LambdaAuthorizerOptions, AuthorizerInvoke } from './lambda-authorizer.js'
export { jwtAuthorizer } from './jwt-authorizer.js'
export type { JwtAuthorizerOptions } from './jwt-authorizer.js'
export { cognitoAuthorizer } from './cognito-authorizer.js'
export type { CognitoAuthorizerOptions } from './cognito-authorizer.js'
export { JwtVerifier, JWT_ALGORITHMS } from './jwt-verifier.js'
export type { JwtAlgorithm, JwtVerifierSettings, VerifyOutcome } from './jwt-verifier.js'
export { remoteKeySet, JWKS_MAX_BYTES, JWKS_TIMEOUT_MS } from './jwks.js'
export type { KeySetOptions } from './jwks.js'
export { iamAuthorizer } from './iam-authorizer.js'
export type { IamAuthorizerOptions, IamCredentials, CredentialsProvider } from './iam-authorizer.js'
export {
  verifySigV4,
  canonicalRequest,
  canonicalUri,
  canonicalQuery,
  canonicalHeaders,
  stringToSign,
  uriEncode,
  formatAmzDate,
  EMPTY_SHA256,
  MAX_SKEW_MS,
  MAX_PRESIGN_EXPIRES
} from './sigv4.js'
export type { SigV4Request, SigV4Outcome, SigV4Failure, ParsedSignature, VerifySigV4Options } from './sigv4.js'
export { resourcePolicy, compileResourcePolicy, combineDecisions, accessDeniedMessage, MAX_RESOURCE_POLICY_CHARS } from './resource-policy.js'
export type { ResourcePolicy, ResourcePolicyOptions, ResourcePolicyAuthType, CombineRule } from './resource-policy.js'
export { compilePolicy } from './policy.js'
export { createPolicyCache } from './policy-cache.js'
export type { PolicyDocument, PolicyStatement, PolicyDecision, PolicyPrincipal, PolicyRequest, CompiledPolicy, CompileResult, ConditionLookup } from './policy.js'
export { conditionLookup } from './condition-keys.js'
export type { PrincipalAttributes } from './condition-keys.js'
export { methodArnBuilder, arnOptionsSchema, MAX_METHOD_ARN_BYTES } from './method-arn.js'
export type { ArnOptions, ResolvedArnOptions, MethodArnBuilder } from './method-arn.js'
export { compileWildcard, matchWildcard } from './wildcard.js'
export type { WildcardPattern } from './wildcard.js'
export { stringifyClaims, tokenScopes } from './claims.js'
export type { ClaimStyle } from './claims.js'
