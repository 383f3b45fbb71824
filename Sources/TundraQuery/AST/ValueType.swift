/// The four PromQL value types.
public enum ValueType: String, Sendable, Equatable {
    case scalar
    case vector
    case matrix
    case string
}

extension Expr {
    /// The type the expression evaluates to (the parser has already checked it).
    public var type: ValueType {
        switch self {
        case .number: .scalar
        case .string: .string
        case .vectorSelector: .vector
        case .matrixSelector, .subquery: .matrix
        case .call(let c): c.function.returnType
        case .aggregate: .vector
        case .binary(let b): b.lhs.type == .scalar && b.rhs.type == .scalar ? .scalar : .vector
        case .unaryMinus(let e), .paren(let e): e.type
        }
    }
}
