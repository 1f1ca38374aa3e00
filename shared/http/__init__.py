"""The HTTP edge every service shares, one module per idea:

- :mod:`shared.http.problems`: RFC 9457 problem details and the error handlers;
- :mod:`shared.http.parser`: the kernel's ``Blueprint`` and the parser that reads every
  operation's arguments, and :mod:`shared.http.json_body`, what a JSON body may be;
- :mod:`shared.http.fields`: the one base of request bodies (``InputSchema``), ``Text`` and
  the field constants;
- :mod:`shared.http.paging`: paged lists;
- :mod:`shared.http.health`: ``/livez`` and ``/readyz``;
- :mod:`shared.http.docs`: the OpenAPI document and Swagger UI.

The names are also importable from here.
"""

from shared.http.docs import ProblemApi, ProblemContent, api_config, docs_assets_blueprint
from shared.http.fields import (
    DATE_PATTERN,
    NOT_BLANK,
    OCCUPATION_CODE,
    OCCUPATION_CODE_DOC,
    SERVER_SET,
    InputSchema,
    Pattern,
    RequestSchema,
    SomethingToChange,
    Text,
    UtcDateTime,
    occupation_code_field,
)
from shared.http.health import health_blueprint
from shared.http.paging import MAX_PAGE, MAX_PER_PAGE, PageQuery, page_of, paginate
from shared.http.parser import Blueprint, KernelParser
from shared.http.problems import (
    PROBLEM,
    Problem,
    ProblemSchema,
    answer_errors_as_problems,
    flatten_errors,
    problem_of,
    problem_response,
)

__all__ = [
    "DATE_PATTERN",
    "MAX_PAGE",
    "MAX_PER_PAGE",
    "NOT_BLANK",
    "OCCUPATION_CODE",
    "OCCUPATION_CODE_DOC",
    "PROBLEM",
    "SERVER_SET",
    "Blueprint",
    "KernelParser",
    "PageQuery",
    "Pattern",
    "Problem",
    "ProblemApi",
    "ProblemContent",
    "ProblemSchema",
    "InputSchema",
    "RequestSchema",
    "SomethingToChange",
    "Text",
    "UtcDateTime",
    "answer_errors_as_problems",
    "api_config",
    "docs_assets_blueprint",
    "flatten_errors",
    "health_blueprint",
    "occupation_code_field",
    "page_of",
    "paginate",
    "problem_of",
    "problem_response",
]
