"""POST /v1/messages through Anthropic's official Python SDK (see scripts/anthropic-sdk-check)."""
import os
import sys

import anthropic

client = anthropic.Anthropic(base_url=os.environ["SWITCHYARD_URL"], api_key="not-needed", max_retries=0)
failures = []


def check(what, condition, detail=""):
    print(("ok   " if condition else "FAIL ") + what + (f": {detail}" if detail and not condition else ""))
    if not condition:
        failures.append(what)


# Text with a system prompt, as the README shows it.
message = client.messages.create(
    model="auto", max_tokens=100, system="Answer in one line.",
    messages=[{"role": "user", "content": "Say hello"}], metadata={"user_id": "alice"})
check("text: a message with text", message.type == "message" and message.content[0].type == "text"
      and message.content[0].text != "", repr(message))
check("text: stop_reason end_turn", message.stop_reason == "end_turn", message.stop_reason)
check("text: usage counted", message.usage.input_tokens > 0 and message.usage.output_tokens > 0, repr(message.usage))

# Tools: the simulated providers call the first tool offered.
tools = [{"name": "get_weather", "description": "Weather of a city",
          "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}]
message = client.messages.create(
    model="auto", max_tokens=100, tools=tools, messages=[{"role": "user", "content": "Weather in Paris?"}])
calls = [block for block in message.content if block.type == "tool_use"]
check("tools: a tool_use block", message.stop_reason == "tool_use" and len(calls) == 1
      and calls[0].name == "get_weather", repr(message))
if calls:
    answer = client.messages.create(
        model="auto", max_tokens=100, tools=tools,
        messages=[{"role": "user", "content": "Weather in Paris?"},
                  {"role": "assistant", "content": [block.model_dump() for block in message.content]},
                  {"role": "user", "content": [{"type": "tool_result", "tool_use_id": calls[0].id,
                                                "content": "18 degrees"}]}])
    check("tools: the result is answered", answer.type == "message", repr(answer))

# Streaming, with the SDK's own event accumulation.
with client.messages.stream(model="auto", max_tokens=100,
                            messages=[{"role": "user", "content": "Say hi"}]) as stream:
    text = "".join(stream.text_stream)
    final = stream.get_final_message()
check("stream: text arrives", text != "" and final.content[0].text == text, repr(final))
check("stream: stop_reason and usage", final.stop_reason == "end_turn" and final.usage.output_tokens > 0,
      repr(final))

# Errors in Anthropic's shape, mapped by the SDK to its exception classes.
try:
    client.messages.create(model="auto", max_tokens=50, metadata={"user_id": "broke"},
                           messages=[{"role": "user", "content": "hello"}])
    check("402: a spent budget is refused", False, "no error")
except anthropic.APIStatusError as error:
    check("402: a spent budget is refused", error.status_code == 402
          and error.body["error"]["type"] == "billing_error", repr(error.body))
try:
    client.messages.create(model="no-such-model", max_tokens=50, messages=[{"role": "user", "content": "hello"}])
    check("404: an unknown model", False, "no error")
except anthropic.NotFoundError as error:
    check("404: an unknown model", error.body["error"]["type"] == "not_found_error", repr(error.body))

if failures:
    sys.exit(f"{len(failures)} check(s) failed: {', '.join(failures)}")
print("the Anthropic SDK works against Switchyard")
