/// A PromQL function's name and types, as the parser checks calls against them.
public struct FunctionSignature: Sendable, Equatable {
    public let name: String
    public let argTypes: [ValueType]
    /// 0: exactly `argTypes`; n > 0: the last argument may be left out, up to n of them;
    /// -1: the last argument may repeat any number of times (`label_join`).
    public let variadic: Int
    public let returnType: ValueType

    public init(_ name: String, _ argTypes: [ValueType], _ returnType: ValueType, variadic: Int = 0) {
        self.name = name
        self.argTypes = argTypes
        self.variadic = variadic
        self.returnType = returnType
    }

    /// Fewest arguments a call must give.
    public var minArgs: Int {
        switch variadic {
        case 0: argTypes.count
        case -1: argTypes.count - 1
        default: argTypes.count - variadic
        }
    }

    /// Most arguments a call may give; nil for no limit.
    public var maxArgs: Int? { variadic == -1 ? nil : argTypes.count }

    /// The type of argument `i` (the last type repeats for variadic functions).
    public func argType(_ i: Int) -> ValueType {
        i < argTypes.count ? argTypes[i] : argTypes[argTypes.count - 1]
    }

    /// Every function of Prometheus 2.x that works on float samples, by name.
    public static let all: [String: FunctionSignature] = {
        var table: [String: FunctionSignature] = [:]
        for f in list { table[f.name] = f }
        return table
    }()

    public static func named(_ name: String) -> FunctionSignature? { all[name] }

    private static let list: [FunctionSignature] = {
        var l: [FunctionSignature] = []
        let v = ValueType.vector, m = ValueType.matrix, s = ValueType.scalar, str = ValueType.string
        for name in [
            "abs", "ceil", "floor", "exp", "sqrt", "ln", "log2", "log10", "sgn",
            "acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh", "sin", "sinh", "tan", "tanh",
            "deg", "rad", "sort", "sort_desc", "timestamp", "absent",
        ] {
            l.append(FunctionSignature(name, [v], v))
        }
        for name in ["days_in_month", "day_of_month", "day_of_week", "day_of_year", "hour", "minute", "month", "year"] {
            l.append(FunctionSignature(name, [v], v, variadic: 1))
        }
        for name in [
            "rate", "irate", "increase", "delta", "idelta", "deriv", "changes", "resets",
            "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time",
            "stddev_over_time", "stdvar_over_time", "last_over_time", "present_over_time", "absent_over_time",
        ] {
            l.append(FunctionSignature(name, [m], v))
        }
        l.append(FunctionSignature("quantile_over_time", [s, m], v))
        l.append(FunctionSignature("predict_linear", [m, s], v))
        l.append(FunctionSignature("holt_winters", [m, s, s], v))
        l.append(FunctionSignature("histogram_quantile", [s, v], v))
        l.append(FunctionSignature("clamp", [v, s, s], v))
        l.append(FunctionSignature("clamp_max", [v, s], v))
        l.append(FunctionSignature("clamp_min", [v, s], v))
        l.append(FunctionSignature("round", [v, s], v, variadic: 1))
        l.append(FunctionSignature("label_replace", [v, str, str, str, str], v))
        l.append(FunctionSignature("label_join", [v, str, str, str], v, variadic: -1))
        l.append(FunctionSignature("scalar", [v], s))
        l.append(FunctionSignature("vector", [s], v))
        l.append(FunctionSignature("time", [], s))
        l.append(FunctionSignature("pi", [], s))
        return l
    }()
}
