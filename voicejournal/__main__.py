from voicejournal.cli import run

run()
