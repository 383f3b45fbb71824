import TundraModel

/// A parsed PromQL expression.
///
/// Durations and timestamps are milliseconds. Positions are 0-based offsets in Unicode
/// scalars into the query text, so errors found after parsing can still point at the
/// part of the query they are about.
public indirect enum Expr: Sendable {
    case number(Double)
    case string(String)
    case vectorSelector(VectorSelector)
    /// `selector[range]`
    case matrixSelector(VectorSelector, range: Int64)
    /// `expr[range:step]`; step nil means the default evaluation interval.
    case subquery(Subquery)
    case call(Call)
    case aggregate(Aggregation)
    case binary(Binary)
    /// `-expr` (a leading `+` is dropped by the parser).
    case unaryMinus(Expr)
    case paren(Expr)
}

/// `@ <time>`, `@ start()`, `@ end()`.
public enum AtModifier: Sendable, Equatable {
    /// Milliseconds since the epoch.
    case timestamp(Int64)
    case start
    case end
}

public struct VectorSelector: Sendable {
    /// The metric name if written before the braces (also present as a `__name__` matcher).
    public var name: String?
    /// Every matcher, `__name__` included.
    public var matchers: [Matcher]
    /// `offset` in milliseconds; negative offsets look into the future.
    public var offset: Int64
    public var at: AtModifier?
    public var position: Int

    public init(name: String?, matchers: [Matcher], offset: Int64 = 0, at: AtModifier? = nil, position: Int = 0) {
        self.name = name
        self.matchers = matchers
        self.offset = offset
        self.at = at
        self.position = position
    }
}

public struct Subquery: Sendable {
    public var expr: Expr
    public var range: Int64
    public var step: Int64?
    public var offset: Int64
    public var at: AtModifier?
    public var position: Int

    public init(expr: Expr, range: Int64, step: Int64?, offset: Int64 = 0, at: AtModifier? = nil, position: Int = 0) {
        self.expr = expr
        self.range = range
        self.step = step
        self.offset = offset
        self.at = at
        self.position = position
    }
}

public struct Call: Sendable {
    public var function: FunctionSignature
    public var args: [Expr]
    public var position: Int

    public init(function: FunctionSignature, args: [Expr], position: Int = 0) {
        self.function = function
        self.args = args
        self.position = position
    }
}

public enum AggregationOp: String, Sendable, CaseIterable {
    case sum, min, max, avg, group, stddev, stdvar, count
    case countValues = "count_values"
    case bottomk, topk, quantile

    /// Operators that take a parameter before the expression.
    public var hasParameter: Bool {
        switch self {
        case .countValues, .bottomk, .topk, .quantile: true
        default: false
        }
    }
}

public enum Grouping: Sendable, Equatable {
    case by([String])
    case without([String])
}

public struct Aggregation: Sendable {
    public var op: AggregationOp
    public var expr: Expr
    /// `k` of topk/bottomk, `q` of quantile, the label name of count_values.
    public var parameter: Expr?
    /// nil when neither `by` nor `without` was written (the same as `by ()`).
    public var grouping: Grouping?
    public var position: Int

    public init(op: AggregationOp, expr: Expr, parameter: Expr? = nil, grouping: Grouping? = nil, position: Int = 0) {
        self.op = op
        self.expr = expr
        self.parameter = parameter
        self.grouping = grouping
        self.position = position
    }
}

public enum BinaryOp: String, Sendable, CaseIterable {
    case add = "+", sub = "-", mul = "*", div = "/", mod = "%", pow = "^"
    case eql = "==", neq = "!=", gtr = ">", lss = "<", gte = ">=", lte = "<="
    case and, or, unless
    /// `atan2` is a binary operator in PromQL, with multiplication's precedence.
    case atan2

    public var isComparison: Bool {
        switch self {
        case .eql, .neq, .gtr, .lss, .gte, .lte: true
        default: false
        }
    }

    public var isSetOperator: Bool {
        switch self {
        case .and, .or, .unless: true
        default: false
        }
    }

    /// Higher binds tighter, as in Prometheus' grammar.
    public var precedence: Int {
        switch self {
        case .or: 1
        case .and, .unless: 2
        case .eql, .neq, .gtr, .lss, .gte, .lte: 3
        case .add, .sub: 4
        case .mul, .div, .mod, .atan2: 5
        case .pow: 6
        }
    }

    /// `^` is the only right-associative operator.
    public var isRightAssociative: Bool { self == .pow }
}

public enum VectorCardinality: Sendable, Equatable {
    case oneToOne
    /// `group_left(labels)`: many on the left, one on the right.
    case manyToOne([String])
    /// `group_right(labels)`
    case oneToMany([String])
    /// Set operators.
    case manyToMany
}

/// How the series of two vectors are paired: `on(...)`/`ignoring(...)` and grouping.
public struct VectorMatching: Sendable, Equatable {
    public var cardinality: VectorCardinality
    /// The labels of `on(...)` or `ignoring(...)`.
    public var labels: [String]
    /// true for `on`, false for `ignoring` (and when neither was written).
    public var on: Bool

    public init(cardinality: VectorCardinality = .oneToOne, labels: [String] = [], on: Bool = false) {
        self.cardinality = cardinality
        self.labels = labels
        self.on = on
    }
}

public struct Binary: Sendable {
    public var op: BinaryOp
    public var lhs: Expr
    public var rhs: Expr
    /// `bool` modifier on a comparison.
    public var returnBool: Bool
    /// nil when either side is a scalar.
    public var matching: VectorMatching?
    public var position: Int

    public init(op: BinaryOp, lhs: Expr, rhs: Expr, returnBool: Bool = false, matching: VectorMatching? = nil, position: Int = 0) {
        self.op = op
        self.lhs = lhs
        self.rhs = rhs
        self.returnBool = returnBool
        self.matching = matching
        self.position = position
    }
}
