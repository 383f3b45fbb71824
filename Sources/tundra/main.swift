import TundraCLI

TundraCommand.runFromProcessArguments()
