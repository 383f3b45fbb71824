import Hummingbird

typealias BasicContextStub = BasicRequestContext
