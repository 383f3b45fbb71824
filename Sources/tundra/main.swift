import TundraCLI

await TundraCommand.runFromProcessArguments()
