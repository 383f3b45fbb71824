import Testing
import TundraQuery

@Suite struct FunctionSignatureTests {
    @Test func argumentCountsFollowVariadicRules() throws {
        let round = try #require(FunctionSignature.named("round"))
        #expect(round.minArgs == 1 && round.maxArgs == 2)
        let join = try #require(FunctionSignature.named("label_join"))
        #expect(join.minArgs == 3 && join.maxArgs == nil && join.argType(7) == .string)
        let hour = try #require(FunctionSignature.named("hour"))
        #expect(hour.minArgs == 0 && hour.maxArgs == 1)
        #expect(FunctionSignature.named("rate")?.argTypes == [.matrix])
        #expect(FunctionSignature.named("no_such_function") == nil)
    }
}
