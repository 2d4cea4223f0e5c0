import { TABLE_KEYS } from '../../contracts/tables';
import { tableVar, toolNeeds, topicVar, unidentifiedCallsVar } from '../../contracts/tool-needs';

/**
 * What the report tool needs: the Tickets table (items by key, a bounded scan for operators' unfiltered lists,
 * Query on exactly the owner and status indexes), the notifications topic, and the stage's policy for calls
 * that name no caller.
 */
export const needs = toolNeeds({
  variables: {
    ticketsTable: tableVar(
      'TICKETS_TABLE_NAME',
      'tickets',
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Scan'],
      [TABLE_KEYS.tickets.ownerIndex, TABLE_KEYS.tickets.statusIndex],
    ),
    notificationsTopic: topicVar('NOTIFICATIONS_TOPIC_ARN', 'notifications'),
    unidentifiedCalls: unidentifiedCallsVar(),
  },
});
