package report

// ChildrenSQL is the number of children an activity reached, as an SQL
// expression over the activities table aliased a: the sum of its girls',
// boys' and unrecorded children's counts in every age group. Every report
// and list that shows children uses it, so they agree.
const ChildrenSQL = childrenExpr
