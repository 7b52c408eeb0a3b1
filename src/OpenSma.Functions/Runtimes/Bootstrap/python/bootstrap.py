"""OpenSMA's Python runtime interface client.

Speaks the Lambda Runtime API (2018-06-01) at AWS_LAMBDA_RUNTIME_API and runs the handler
named by _HANDLER ("module.function") from LAMBDA_TASK_ROOT, with Lambda's context object,
logging format and error shapes.
"""
import http.client
import importlib
import json
import logging
import os
import sys
import time
import traceback

MARKER = "\x1eOPENSMA-END "
API = os.environ["AWS_LAMBDA_RUNTIME_API"]
TASK_ROOT = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
HANDLER = os.environ.get("_HANDLER", "")

_conn = None
_request_id = None


def _request(method, path, body=None, headers=None):
    global _conn
    for attempt in (0, 1):
        if _conn is None:
            host, port = API.rsplit(":", 1)
            _conn = http.client.HTTPConnection(host, int(port))
        try:
            _conn.request(method, path, body=body, headers=headers or {})
            response = _conn.getresponse()
            return response.status, response.headers, response.read()
        except (http.client.HTTPException, ConnectionError):
            _conn.close()
            _conn = None
            if attempt == 1:
                raise


class LambdaContext:
    def __init__(self, headers):
        self._deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms", "0"))
        self.aws_request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = None
        client_context = headers.get("Lambda-Runtime-Client-Context")
        self.client_context = json.loads(client_context) if client_context else None

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)


class _RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _request_id
        return True


def _configure_logging():
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s", "%Y-%m-%dT%H:%M:%S"))
    handler.formatter.converter = time.gmtime
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(logging.WARNING)


def _error_shape(error_type, message, tb=None):
    stack = traceback.format_list(traceback.extract_tb(tb)) if tb is not None else []
    return {"errorMessage": message, "errorType": error_type, "requestId": _request_id or "", "stackTrace": stack}


def _end_markers(request_id):
    sys.stdout.flush()
    sys.stderr.flush()
    os.write(1, (MARKER + request_id + "\n").encode())
    os.write(2, (MARKER + request_id + "\n").encode())


def _init_error(error_type, message, tb=None):
    shape = _error_shape(error_type, message, tb)
    shape.pop("requestId", None)
    sys.stderr.write("[ERROR] %s: %s\n" % (error_type, message))
    sys.stderr.flush()
    _request("POST", "/2018-06-01/runtime/init/error", json.dumps(shape).encode(),
             {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": error_type})
    sys.exit(129)


def _load_handler():
    if "." not in HANDLER:
        _init_error("Runtime.MalformedHandlerName", "Bad handler '%s': not enough values to unpack" % HANDLER)
    module_name, function_name = HANDLER.rsplit(".", 1)
    module_name = module_name.replace("/", ".")
    sys.path.insert(0, TASK_ROOT)
    try:
        module = importlib.import_module(module_name)
    except SyntaxError as e:
        _init_error("Runtime.UserCodeSyntaxError",
                    "Syntax error in module '%s': %s" % (module_name, e), e.__traceback__)
    except ImportError as e:
        _init_error("Runtime.ImportModuleError",
                    "Unable to import module '%s': %s" % (module_name, e), e.__traceback__)
    except Exception as e:  # the module raised while initialising
        _init_error(type(e).__name__, str(e), e.__traceback__)
    handler = getattr(module, function_name, None)
    if handler is None:
        _init_error("Runtime.HandlerNotFound",
                    "Handler '%s' missing on module '%s'" % (function_name, module_name))
    return handler


def _run_one(handler, headers, body):
    global _request_id
    request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
    _request_id = request_id
    os.environ["_X_AMZN_TRACE_ID"] = headers.get("Lambda-Runtime-Trace-Id", "")
    try:
        event = json.loads(body) if body else None
        result = handler(event, LambdaContext(headers))
        payload = json.dumps(result).encode()
    except Exception as e:
        shape = _error_shape(type(e).__name__, str(e), e.__traceback__)
        sys.stdout.write("[ERROR] %s: %s\n" % (shape["errorType"], shape["errorMessage"]))
        _end_markers(request_id)
        _request("POST", "/2018-06-01/runtime/invocation/%s/error" % request_id, json.dumps(shape).encode(),
                 {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": "Unhandled"})
        return
    _end_markers(request_id)
    _request("POST", "/2018-06-01/runtime/invocation/%s/response" % request_id, payload,
             {"Content-Type": "application/json"})


def main():
    _configure_logging()
    handler = _load_handler()
    while True:
        status, headers, body = _request("GET", "/2018-06-01/runtime/invocation/next")
        if status != 200:
            return
        _run_one(handler, headers, body)


if __name__ == "__main__":
    main()
