//! Proptest strategies for the generated request and client-message types of `autessa`.
//!
//! Every value respects what the schema says about it (`minItems`, `minimum`/`maximum`,
//! `enum`, `format`) and what the descriptions require (exactly one of `audioUrl` and
//! `base64Audio`; a column value of the column's type or null). Within that, values go to the
//! edges: ids at `i64::MIN`/`i64::MAX`, text with control characters and non-BMP characters,
//! and optional collections absent, present but empty, and present with items (`None`,
//! `Some(vec![])`, `Some(vec![..])`), which must serialize differently.
//!
//! Enum values come from the schema (read from `openapi.yaml`, decoded into the generated
//! enum), so a value the schema adds is covered, and one the client has no variant for fails.

use std::collections::BTreeMap;
use std::fmt::Debug;

use autessa::types::*;
use autessa_runtime::Base64;
use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::openapi;
use super::schema_gen::{any_json, date_time, key, text, uri};

/// The known values of the enum schema `name`, as the generated type `T`. Panics if the
/// client decodes one of them into its catch-all variant (no variant for a schema value).
pub fn schema_enum<T>(name: &str) -> BoxedStrategy<T>
where
    T: DeserializeOwned + Debug + Clone + 'static,
{
    let values = openapi()["components"]["schemas"][name]["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("components/schemas/{name} is not an enum"));
    let decoded: Vec<T> = values
        .iter()
        .map(|value| {
            let decoded: T = serde_json::from_value(value.clone())
                .unwrap_or_else(|error| panic!("{name}: {value} does not decode: {error}"));
            let debug = format!("{decoded:?}");
            assert!(
                !debug.starts_with("Unknown(") && !debug.starts_with("Other("),
                "{name}: the client has no variant for the schema value {value} (got {debug})"
            );
            decoded
        })
        .collect();
    proptest::sample::select(decoded).boxed()
}

/// The largest integer JSON tooling written in JavaScript handles exactly (2^53 - 1).
///
/// The schema types ids as `integer`/`int64`, and the client as `i64`, but Prism (ajv's
/// `int64` format) refuses an `int64` beyond +/-(2^53 - 1) with a `422`, although OpenAPI
/// defines `int64` as the full signed 64-bit range. The strategies keep `int64` values within
/// this bound so that they judge the client rather than that disagreement, which the test
/// `int64_beyond_2_pow_53_is_refused_by_prism` documents.
pub const JS_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// Ids (`int64`): anything within +/-[`JS_SAFE_INTEGER`], small ones, and the extremes.
pub fn id() -> BoxedStrategy<i64> {
    prop_oneof![
        3 => -JS_SAFE_INTEGER..=JS_SAFE_INTEGER,
        3 => 0i64..100_000,
        1 => Just(JS_SAFE_INTEGER),
        1 => Just(-JS_SAFE_INTEGER),
        1 => Just(0),
    ]
    .boxed()
}

/// An optional list: absent, present and empty, or present with 1..=`max` items.
pub fn opt_vec<S>(items: S, max: usize) -> BoxedStrategy<Option<Vec<S::Value>>>
where
    S: Strategy + 'static,
    S::Value: Clone,
{
    prop_oneof![
        Just(None),
        Just(Some(Vec::new())),
        vec(items, 1..=max).prop_map(Some),
    ]
    .boxed()
}

/// An optional map: absent, present and empty, or present with 1..=3 entries.
pub fn opt_map<S>(values: S) -> BoxedStrategy<Option<BTreeMap<String, S::Value>>>
where
    S: Strategy + 'static,
    S::Value: Clone,
{
    prop_oneof![
        Just(None),
        Just(Some(BTreeMap::new())),
        btree_map(key(), values, 1..=3).prop_map(Some),
    ]
    .boxed()
}

fn bytes() -> BoxedStrategy<Base64> {
    vec(any::<u8>(), 0..48).prop_map(Base64).boxed()
}

// ------------------------------------------------------------------------------ shared types

pub fn custom_version() -> BoxedStrategy<CustomVersion> {
    (
        option::of(schema_enum::<VersionState>("VersionState")),
        option::of(any::<i32>()),
    )
        .prop_map(|(version_state, version_number)| {
            let mut custom_version = CustomVersion::new();
            custom_version.version_state = version_state;
            custom_version.version_number = version_number;
            custom_version
        })
        .boxed()
}

pub fn audio_format() -> BoxedStrategy<AudioFormat> {
    (
        any::<i32>(),
        any::<i32>(),
        any::<i32>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(sample_rate, sample_size_in_bits, channels, signed, big_endian)| {
                AudioFormat::new(
                    sample_rate,
                    sample_size_in_bits,
                    channels,
                    signed,
                    big_endian,
                )
            },
        )
        .boxed()
}

/// Audio input with exactly one of `audioUrl` and `base64Audio`, as its description requires.
pub fn audio_input() -> BoxedStrategy<AudioInput> {
    let source = prop_oneof![
        uri().prop_map(|url| (Some(url), None)),
        bytes().prop_map(|audio| (None, Some(audio))),
    ];
    (source, option::of(audio_format()))
        .prop_map(|((audio_url, base64_audio), audio_format)| {
            let mut audio_input = AudioInput::new();
            audio_input.audio_url = audio_url;
            audio_input.base64_audio = base64_audio;
            audio_input.audio_format = audio_format;
            audio_input
        })
        .boxed()
}

pub fn agent_input() -> BoxedStrategy<AgentInput> {
    prop_oneof![
        text().prop_map(|content| AgentInput::Text(TextInput::new(content))),
        audio_input().prop_map(AgentInput::Audio),
    ]
    .boxed()
}

/// A column value whose `value` has the JSON form of its `columnType`, or is null (an empty
/// cell), as the description of `AutessaDbColumnValue.value` says.
pub fn column_value() -> BoxedStrategy<AutessaDbColumnValue> {
    schema_enum::<ColumnType>("ColumnType")
        .prop_flat_map(|column_type| {
            let value: BoxedStrategy<Value> = match column_type {
                ColumnType::UniqueId | ColumnType::String | ColumnType::LongText => {
                    text().prop_map(Value::from).boxed()
                }
                ColumnType::Timestamp => date_time().prop_map(Value::from).boxed(),
                ColumnType::Integer => any::<i64>().prop_map(Value::from).boxed(),
                ColumnType::Float => any::<f64>()
                    .prop_filter("finite", |x| x.is_finite())
                    .prop_map(Value::from)
                    .boxed(),
                ColumnType::Boolean => any::<bool>().prop_map(Value::from).boxed(),
                _ => any_json(),
            };
            (
                Just(column_type),
                prop_oneof![5 => value, 1 => Just(Value::Null)],
            )
        })
        .prop_map(|(column_type, value)| AutessaDbColumnValue::new(column_type, value))
        .boxed()
}

pub fn row_values() -> BoxedStrategy<BTreeMap<String, AutessaDbColumnValue>> {
    btree_map(key(), column_value(), 0..4).boxed()
}

pub fn pagination() -> BoxedStrategy<Pagination> {
    (
        prop_oneof![0..=i32::MAX, Just(0), 0..100],
        prop_oneof![1..=i32::MAX, Just(1), 1..100],
        option::of(any::<bool>()),
    )
        .prop_map(|(current_page, total_records_per_page, ascending)| {
            let mut pagination = Pagination::new(current_page, total_records_per_page);
            pagination.ascending = ascending;
            pagination
        })
        .boxed()
}

/// A filter statement whose `value` is absent, an explicit null, or any JSON value.
pub fn filter_statement() -> BoxedStrategy<FilterStatement> {
    (
        text(),
        schema_enum::<FilterOperator>("FilterOperator"),
        prop_oneof![
            Just(None),
            Just(Some(Value::Null)),
            any_json().prop_map(Some)
        ],
    )
        .prop_map(|(column, operator, value)| {
            let mut filter_statement = FilterStatement::new(column, operator);
            filter_statement.value = value;
            filter_statement
        })
        .boxed()
}

pub fn where_filter() -> BoxedStrategy<WhereFilter> {
    let group = (
        schema_enum::<LogicalOperand>("LogicalOperand"),
        vec(filter_statement(), 0..4),
    )
        .prop_map(|(operand, statements)| FilterGroup::new(operand, statements));
    (
        schema_enum::<LogicalOperand>("LogicalOperand"),
        vec(group, 0..3),
    )
        .prop_map(|(operand, groups)| WhereFilter::new(operand, groups))
        .boxed()
}

pub fn selected_column() -> BoxedStrategy<SelectedColumn> {
    (
        text(),
        option::of(text()),
        option::of(text()),
        opt_vec(schema_enum::<AggregateFunction>("AggregateFunction"), 3),
    )
        .prop_map(|(column_name, table_alias, column_alias, functions)| {
            let mut selected_column = SelectedColumn::new(column_name);
            selected_column.table_alias = table_alias;
            selected_column.column_alias = column_alias;
            selected_column.functions = functions;
            selected_column
        })
        .boxed()
}

pub fn join_statement() -> BoxedStrategy<JoinStatement> {
    (
        schema_enum::<JoinType>("JoinType"),
        id(),
        text(),
        text(),
        text(),
        option::of(where_filter()),
    )
        .prop_map(
            |(
                join_type,
                join_table_id,
                join_table_alias,
                main_table_column,
                join_table_column,
                join_filters,
            )| {
                {
                    let mut join_statement = JoinStatement::new(
                        join_type,
                        join_table_id,
                        join_table_alias,
                        main_table_column,
                        join_table_column,
                    );
                    join_statement.join_filters = join_filters;
                    join_statement
                }
            },
        )
        .boxed()
}

// ------------------------------------------------------------------------------ request bodies

pub fn create_conversation() -> BoxedStrategy<CreateConversationRequest> {
    (id(), option::of(custom_version()))
        .prop_map(|(agent_id, version)| {
            let mut create_conversation_request = CreateConversationRequest::new(agent_id);
            create_conversation_request.version = version;
            create_conversation_request
        })
        .boxed()
}

pub fn execute_agent() -> BoxedStrategy<ExecuteAgentRequest> {
    (
        id(),
        vec(agent_input(), 1..4),
        option::of(text()),
        option::of(schema_enum::<OutputType>("OutputType")),
        opt_map(text()),
        opt_map(text()),
        option::of(custom_version()),
    )
        .prop_map(
            |(
                agent_id,
                input,
                conversation_id,
                output_type,
                environment_variables,
                prompt_template_variables,
                version,
            )| {
                let mut request = ExecuteAgentRequest::new(agent_id, input);
                request.conversation_id = conversation_id;
                request.output_type = output_type;
                request.environment_variables = environment_variables;
                request.prompt_template_variables = prompt_template_variables;
                request.version = version;
                request
            },
        )
        .boxed()
}

pub fn close_conversation() -> BoxedStrategy<CloseConversationRequest> {
    (id(), text())
        .prop_map(|(agent_id, conversation_id)| {
            CloseConversationRequest::new(agent_id, conversation_id)
        })
        .boxed()
}

pub fn execute_tool() -> BoxedStrategy<ExecuteToolRequest> {
    (
        id(),
        opt_map(any_json()),
        opt_map(any_json()),
        opt_map(text()),
        option::of(custom_version()),
        option::of(any::<bool>()),
    )
        .prop_map(
            |(tool_id, variables, private_variables, environment_variables, version, debug)| {
                let mut execute_tool_request = ExecuteToolRequest::new(tool_id);
                execute_tool_request.variables = variables;
                execute_tool_request.private_variables = private_variables;
                execute_tool_request.environment_variables = environment_variables;
                execute_tool_request.version = version;
                execute_tool_request.debug = debug;
                execute_tool_request
            },
        )
        .boxed()
}

pub fn insert_row() -> BoxedStrategy<InsertRowRequest> {
    (id(), row_values())
        .prop_map(|(table_id, values)| InsertRowRequest::new(table_id, values))
        .boxed()
}

pub fn update_row() -> BoxedStrategy<UpdateRowRequest> {
    (id(), id(), row_values())
        .prop_map(|(table_id, row_id, values)| UpdateRowRequest::new(table_id, row_id, values))
        .boxed()
}

pub fn batch_update_rows() -> BoxedStrategy<BatchUpdateRowsRequest> {
    let update = (id(), row_values()).prop_map(|(row_id, values)| RowUpdate::new(row_id, values));
    (id(), vec(update, 0..4))
        .prop_map(|(table_id, updates)| BatchUpdateRowsRequest::new(table_id, updates))
        .boxed()
}

pub fn delete_row() -> BoxedStrategy<DeleteRowRequest> {
    (id(), id())
        .prop_map(|(table_id, row_id)| DeleteRowRequest::new(table_id, row_id))
        .boxed()
}

pub fn batch_delete_rows() -> BoxedStrategy<BatchDeleteRowsRequest> {
    (id(), vec(id(), 0..5))
        .prop_map(|(table_id, row_ids)| BatchDeleteRowsRequest::new(table_id, row_ids))
        .boxed()
}

pub fn get_data() -> BoxedStrategy<GetDataRequest> {
    (id(), option::of(pagination()))
        .prop_map(|(table_id, pagination)| {
            let mut get_data_request = GetDataRequest::new(table_id);
            get_data_request.pagination = pagination;
            get_data_request
        })
        .boxed()
}

pub fn get_single_row() -> BoxedStrategy<GetSingleRowRequest> {
    (id(), id())
        .prop_map(|(table_id, row_id)| GetSingleRowRequest::new(table_id, row_id))
        .boxed()
}

pub fn query_table() -> BoxedStrategy<QueryTableRequest> {
    (
        id(),
        opt_vec(selected_column(), 3),
        option::of(where_filter()),
        option::of(pagination()),
    )
        .prop_map(|(table_id, selected_columns, filters, pagination)| {
            let mut query_table_request = QueryTableRequest::new(table_id);
            query_table_request.selected_columns = selected_columns;
            query_table_request.filters = filters;
            query_table_request.pagination = pagination;
            query_table_request
        })
        .boxed()
}

pub fn join_query() -> BoxedStrategy<JoinQueryRequest> {
    (
        id(),
        text(),
        vec(selected_column(), 0..4),
        vec(join_statement(), 0..3),
        option::of(where_filter()),
        option::of(pagination()),
    )
        .prop_map(
            |(table_id, table_alias, selected_columns, join_statements, filters, pagination)| {
                let mut request =
                    JoinQueryRequest::new(table_id, table_alias, selected_columns, join_statements);
                request.filters = filters;
                request.pagination = pagination;
                request
            },
        )
        .boxed()
}

pub fn semantic_search() -> BoxedStrategy<SemanticSearchRequest> {
    (
        id(),
        text(),
        text(),
        option::of(prop_oneof![1..=100, Just(1), Just(100)]),
        option::of(where_filter()),
    )
        .prop_map(|(table_id, column_name, query, limit, filters)| {
            let mut semantic_search_request =
                SemanticSearchRequest::new(table_id, column_name, query);
            semantic_search_request.limit = limit;
            semantic_search_request.filters = filters;
            semantic_search_request
        })
        .boxed()
}

pub fn generate_upload_link() -> BoxedStrategy<GenerateUploadLinkRequest> {
    (id(), text(), schema_enum::<FileType>("FileType"))
        .prop_map(|(table_id, file_name, file_type)| {
            GenerateUploadLinkRequest::new(table_id, file_name, file_type)
        })
        .boxed()
}

pub fn index_record() -> BoxedStrategy<IndexRecordRequest> {
    (
        id(),
        text(),
        option::of(schema_enum::<FileDelimiter>("FileDelimiter")),
    )
        .prop_map(|(table_id, temp_path, file_delimiter)| {
            let mut index_record_request = IndexRecordRequest::new(table_id, temp_path);
            index_record_request.file_delimiter = file_delimiter;
            index_record_request
        })
        .boxed()
}

// ------------------------------------------------------------------------------ client messages

pub fn execute_message() -> BoxedStrategy<ExecuteMessage> {
    execute_agent()
        .prop_map(|request| {
            let mut execute_message = ExecuteMessage::new(request.agent_id, request.input);
            execute_message.conversation_id = request.conversation_id;
            execute_message.output_type = request.output_type;
            execute_message.environment_variables = request.environment_variables;
            execute_message.prompt_template_variables = request.prompt_template_variables;
            execute_message.version = request.version;
            execute_message
        })
        .boxed()
}

pub fn voice_setup_message() -> BoxedStrategy<VoiceSetupMessage> {
    (
        schema_enum::<OutputType>("OutputType"),
        id(),
        audio_format(),
        btree_map(key(), text(), 0..3),
        btree_map(key(), text(), 0..3),
    )
        .prop_map(
            |(
                output_type,
                agent_id,
                audio_format,
                environment_variables,
                prompt_template_variables,
            )| {
                VoiceSetupMessage::new(
                    output_type,
                    agent_id,
                    audio_format,
                    environment_variables,
                    prompt_template_variables,
                )
            },
        )
        .boxed()
}

pub fn close_conversation_message() -> BoxedStrategy<CloseConversationMessage> {
    text().prop_map(CloseConversationMessage::new).boxed()
}

pub fn execute_tool_message() -> BoxedStrategy<ExecuteToolMessage> {
    execute_tool()
        .prop_map(|request| {
            let mut execute_tool_message = ExecuteToolMessage::new(request.tool_id);
            execute_tool_message.variables = request.variables;
            execute_tool_message.private_variables = request.private_variables;
            execute_tool_message.environment_variables = request.environment_variables;
            execute_tool_message.version = request.version;
            execute_tool_message.debug = request.debug;
            execute_tool_message
        })
        .boxed()
}
