/**
 * Disclosure control over a linear table system: primary suppression, complementary suppression
 * (Gaussian elimination, then LP-audit-driven interval protection) and the LP audit. Domain-free:
 * the outcome cube is mapped onto cells and equations by its caller. docs/disclosure.md explains it.
 */
export { auditSuppression, type AuditResult, type CellInterval } from './audit';
export { suppressTableSystem, type SuppressionOptions, type SuppressionResult } from './complementary';
export { informationLoss, type InformationLoss } from './information-loss';
export { naiveSuppression } from './naive';
export { DEFAULT_THRESHOLD, primarySuppression, type PrimaryOptions, type ProtectionRequirement } from './primary';
export { familiesOf, TableSystemError, validateTableSystem, type Equation, type Family, type TableSystem } from './table-system';
