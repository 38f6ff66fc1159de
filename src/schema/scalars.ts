// Scalars from graphql-scalars, re-exported so the schema uses one copy of each.
export { DateTimeResolver as DateTime, LocalDateResolver as LocalDate } from 'graphql-scalars';
